"""Descent inside the LMS's frame: who may frame which page, and the cookies a frame needs."""

from __future__ import annotations

import pytest
import requests
from django.test import Client
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from lti import frame
from lti.models import PlatformAccount
from tests.lti.platform import LEARNER, SimulatedPlatform

pytestmark = pytest.mark.django_db(transaction=True)


def frame_ancestors(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    [directive] = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")]
    return directive.split()[1:]


def set_cookie_headers(response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name (requests folds them into one string)."""
    headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


@pytest.fixture
def other_platform(live_server, registration):
    simulated = SimulatedPlatform(client_id="other-tool").start()
    simulated.tool_jwks_url = f"{live_server.url}/lti/jwks/"
    LtiTool.objects.create(title="Other LMS", tool_key=registration.tool_key, **simulated.registration())
    yield simulated
    simulated.stop()


def launch_learner(platform, browser, tool_url, assignment, subject="student-42"):
    response = platform.launch(
        browser, tool_url, subject=subject, roles=[LEARNER], custom={"descent_assignment": str(assignment.pk)}
    )
    assert response.status_code == 302, response.text[:300]
    return response


def test_the_pages_of_a_launched_session_may_be_framed_by_its_lms_only(
    platform, other_platform, browser, tool_url, quiz_assignment
):
    launch_learner(platform, browser, tool_url, quiz_assignment)
    framed = browser.get(f"{tool_url}/quizzes/quiz/week-3/")
    assert framed.status_code == 200
    assert frame_ancestors(framed) == [platform.url]
    assert "X-Frame-Options" not in framed.headers
    # The rest of the policy is the site's own.
    assert "script-src 'self'" in framed.headers["Content-Security-Policy"]


def test_every_other_session_and_visitor_still_refuses_framing(platform, tool_url, quiz_assignment):
    for response in (
        requests.get(f"{tool_url}/quizzes/quiz/week-3/", allow_redirects=False),
        requests.get(f"{tool_url}/accounts/login/"),
    ):
        assert frame_ancestors(response) == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"
    instructor = Client()
    instructor.force_login(quiz_assignment.course.owner)  # an LMS account, but not signed in by a launch
    page = instructor.get(f"/courses/{quiz_assignment.course_id}/")
    assert page.status_code == 200
    assert frame_ancestors(page) == ["'none'"] and page.headers["X-Frame-Options"] == "DENY"


def test_the_login_and_launch_may_be_framed_by_every_registered_lms(platform, other_platform, tool_url):
    refused_login = requests.get(f"{tool_url}/lti/login/", params={"iss": "https://unknown.example"})
    assert refused_login.status_code == 400
    assert frame_ancestors(refused_login) == sorted([platform.url, other_platform.url])
    refused_launch = requests.post(f"{tool_url}/lti/launch/", data={"id_token": "x", "state": "y"})
    assert refused_launch.status_code == 403
    assert frame_ancestors(refused_launch) == sorted([platform.url, other_platform.url])
    assert "X-Frame-Options" not in refused_launch.headers


def test_with_no_registration_even_the_launch_refuses_framing(live_server, transactional_db):
    response = requests.post(f"{live_server.url}/lti/launch/", data={"id_token": "x", "state": "y"})
    assert frame_ancestors(response) == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_over_https_a_launched_session_gets_samesite_none_secure_partitioned_cookies(
    settings, platform, browser, tool_url, quiz_assignment
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    browser.headers["X-Forwarded-Proto"] = "https"  # as the TLS-terminating proxy would say
    login, params = platform.begin_login(browser, tool_url)
    for name, header in set_cookie_headers(login).items():  # pylti1p3's state cookies
        assert name.startswith("lti1p3-") and "SameSite=None" in header and "; Secure" in header
        assert "; Partitioned" in header
    token = platform.id_token(
        nonce=params["nonce"],
        subject="student-42",
        roles=[LEARNER],
        custom={"descent_assignment": str(quiz_assignment.pk)},
    )
    launched = browser.post(
        params["redirect_uri"],
        data={"id_token": token, "state": params["state"]},
        # The Secure cookies go back as a browser would send them over HTTPS (requests keeps them
        # for https:// addresses only, and the test server's is http://).
        cookies={cookie.name: cookie.value for cookie in browser.cookies},
        allow_redirects=False,
    )
    assert launched.status_code == 302, launched.text[:300]
    cookies = set_cookie_headers(launched)
    for name in ("sessionid", "csrftoken"):
        assert "SameSite=None" in cookies[name], cookies[name]
        assert "; Secure" in cookies[name] and "; Partitioned" in cookies[name], cookies[name]
    assert "HttpOnly" in cookies["sessionid"]
    user = PlatformAccount.objects.get(subject="student-42").user
    page = requests.get(
        f"{tool_url}/quizzes/quiz/week-3/",
        headers={"X-Forwarded-Proto": "https"},
        cookies={"sessionid": launched.cookies["sessionid"]},
    )
    assert page.status_code == 200 and user.username in page.text


def test_a_password_login_over_https_keeps_lax_cookies(settings, make_user):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("plain-student")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "plain-student", "password": "pass-word-123"}, secure=True
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        assert response.cookies[name]["samesite"] == "Lax"


def test_over_plain_http_a_launched_session_keeps_lax_cookies(platform, browser, tool_url, quiz_assignment):
    # Browsers drop SameSite=None without Secure, and Secure cookies over HTTP: nothing to gain.
    cookies = set_cookie_headers(launch_learner(platform, browser, tool_url, quiz_assignment))
    assert "SameSite=Lax" in cookies["sessionid"] and "Partitioned" not in cookies["sessionid"]


def test_the_framing_origins_follow_the_registrations(settings, platform, registration):
    assert frame.frame_ancestors(registration.pk) == [platform.url]
    registration.auth_login_url = "https://sso.lms.example:8443/authorize?x=1"
    registration.save()
    assert frame.frame_ancestors(registration.pk) == sorted(["https://sso.lms.example:8443", platform.url])
    settings.LTI_FRAME_ANCESTORS = ["https://school.lms.example"]
    assert "https://school.lms.example" in frame.frame_ancestors(registration.pk)
    registration.delete()
    assert frame.frame_ancestors() == []


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://lms.example/auth?x=1", "https://lms.example"),
        ("HTTPS://LMS.example:443/", "https://lms.example:443"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("javascript:alert(1)", None),
        ("https://lms.example:notaport/", None),
        ("", None),
    ],
)
def test_origin_of_keeps_scheme_host_and_port_only(url, origin):
    assert frame.origin_of(url) == origin
