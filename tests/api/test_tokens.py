from django.test import Client
from django.urls import reverse

from accounts.tokens import digest_of
from api.models import ApiToken
from api.services.tokens import token_create, token_revoke


def test_a_token_is_stored_only_as_its_digest(people):
    new = token_create(user=people["owner"], name="export")
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert stored.digest == digest_of(new.plain)
    assert new.plain not in {stored.digest, stored.prefix, stored.name}
    assert len(stored.prefix) < len(new.plain) // 3
    # Nothing in the row holds the token.
    assert not ApiToken.objects.filter(digest=new.plain).exists()


def test_a_token_authenticates_as_its_owner(api_as):
    api = api_as("student")
    response = api.get("/attempts")
    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "count": 0}


def test_a_revoked_token_is_refused(people):
    new = token_create(user=people["student"], name="laptop")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {new.plain}"}
    assert Client().get("/api/v1/attempts", **headers).status_code == 200
    token_revoke(user=people["student"], token_id=new.token.pk)
    response = Client().get("/api/v1/attempts", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]
    # Not even alongside a logged-in session: a token that was presented and does not work is refused.
    browser = Client()
    browser.force_login(people["student"])
    assert browser.get("/api/v1/attempts", **headers).status_code == 401
    assert browser.get("/api/v1/attempts").status_code == 200


def test_an_unknown_or_malformed_token_is_refused(db):
    for value in ("Bearer dsc_nope", "Bearer ", "Bearer x" * 100, "Basic abc"):
        assert Client().get("/api/v1/attempts", HTTP_AUTHORIZATION=value).status_code == 401


def test_a_token_of_an_inactive_user_is_refused(people):
    new = token_create(user=people["student"], name="old")
    people["student"].is_active = False
    people["student"].save()
    assert Client().get("/api/v1/attempts", HTTP_AUTHORIZATION=f"Bearer {new.plain}").status_code == 401


def test_the_tokens_page_shows_a_new_token_once_and_never_again(people):
    client = Client()
    client.force_login(people["owner"])
    response = client.post(reverse("api:tokens"), {"name": "gradebook sync"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people["owner"])
    shown = response.context["created"].plain
    assert digest_of(shown) == token.digest
    assert shown in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    again = client.get(reverse("api:tokens")).content.decode()
    assert shown not in again
    assert "gradebook sync" in again and token.prefix in again


def test_a_token_needs_a_name(people):
    client = Client()
    client.force_login(people["owner"])
    response = client.post(reverse("api:tokens"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_token_on_the_page(people):
    new = token_create(user=people["owner"], name="ci")
    client = Client()
    client.force_login(people["owner"])
    response = client.post(reverse("api:token_revoke", kwargs={"token_id": new.token.pk}))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=new.token.pk).revoked_at is not None


def test_nobody_revokes_another_users_token(people):
    new = token_create(user=people["owner"], name="ci")
    client = Client()
    client.force_login(people["outsider"])
    response = client.post(reverse("api:token_revoke", kwargs={"token_id": new.token.pk}))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=new.token.pk).revoked_at is None


def test_a_session_post_needs_the_csrf_token_but_a_bearer_post_does_not(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["student"])
    body = {"exercise": "sgd", "source": "x = 1\n"}
    refused = client.post("/api/v1/submissions", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get(reverse("api:tokens"))  # sets the CSRF cookie, as any page of the site does
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/submissions", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201, accepted.content
    plain = token_create(user=people["student"], name="cli").plain
    with_token = Client(enforce_csrf_checks=True).post(
        "/api/v1/submissions", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert with_token.status_code == 201, with_token.content
