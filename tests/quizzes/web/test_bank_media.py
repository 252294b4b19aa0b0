"""Images imported with a Moodle bank: stored with the import, shown in the item, served only to people
who may see the item, and exported back byte for byte."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.services import user_create
from quizzes.markdown import MEDIA_PATH, render_markdown
from quizzes.models import Bank, BankMedia, BankShare, Quiz, QuizRule, ShareRole
from quizzes.services.attempts import attempt_start
from quizzes.services.banks import bank_export, bank_import
from tests.quizzes.media_bytes import file_element, moodle_truefalse, png

IMPORT_URL = reverse("quizzes:author_import")
CURVE = png(width=3, height=2, seed=11)
DIGEST = hashlib.sha256(CURVE).hexdigest()
XML = moodle_truefalse(
    stem_html='<p>Does the loss fall? <img src="@@PLUGINFILE@@/curve.png" alt="loss curve"></p>',
    stem_files=file_element("curve.png", CURVE),
)
MEDIA_URL = reverse("quizzes:media", kwargs={"digest": DIGEST, "name": "curve.png"})


def _import_through_the_page(client) -> Bank:
    upload = SimpleUploadedFile("pictures.xml", XML.encode(), content_type="text/xml")
    preview = client.post(IMPORT_URL, {"file": upload, "fmt": "moodle-xml", "replace": "on"})
    assert preview.context["preview"] is not None, preview.context["report"]
    assert not BankMedia.objects.exists()  # the preview writes nothing
    report = client.post(IMPORT_URL, {"confirm": preview.context["token"]}).context["report"]
    assert report.ok, report.problems
    return Bank.objects.get(slug=report.bank)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_imported_image_is_stored_shown_in_the_item_and_served_to_the_owner(instructor_client):
    bank = _import_through_the_page(instructor_client)

    media = BankMedia.objects.get(bank=bank)
    item = bank.items.get()
    preview = instructor_client.get(
        reverse("quizzes:author_item_preview", kwargs={"slug": bank.slug, "key": item.key})
    )
    response = instructor_client.get(MEDIA_URL)

    assert (media.digest, media.name, media.content_type, bytes(media.data)) == (
        DIGEST,
        "curve.png",
        "image/png",
        CURVE,
    )
    assert f'<img src="{MEDIA_URL}" alt="loss curve">' in preview.text
    assert response.status_code == 200 and response.content == CURVE
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('inline; filename="curve.png"')
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_instructor_and_an_unrelated_student_get_a_404(instructor_client, student):
    _import_through_the_page(instructor_client)
    outsider = user_create(username="olga", password="instructor-pass-123", instructor=True)

    assert _client_for(outsider).get(MEDIA_URL).status_code == 404
    assert _client_for(student).get(MEDIA_URL).status_code == 404
    assert Client().get(MEDIA_URL).status_code == 302  # to the log-in page


def test_a_student_sees_the_image_of_an_item_drawn_into_their_attempt(instructor_client, instructor, student):
    bank = _import_through_the_page(instructor_client)
    quiz = Quiz.objects.create(slug="pictures-quiz", title="Pictures", owner=instructor)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1)
    attempt = attempt_start(quiz=quiz, student=student)
    client = _client_for(student)

    page = client.get(reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk}))
    response = client.get(MEDIA_URL)

    assert f'<img src="{MEDIA_URL}" alt="loss curve">' in page.text
    assert response.status_code == 200 and response.content == CURVE


def test_moodle_export_and_reimport_into_another_bank_keep_the_bytes(instructor_client, instructor):
    bank = _import_through_the_page(instructor_client)

    exported = instructor_client.get(
        reverse("quizzes:author_bank_export", kwargs={"slug": bank.slug}), {"fmt": "moodle-xml"}
    )
    report = bank_import(
        text=exported.content.decode(), fmt="moodle-xml", bank_slug="pictures-copy", owner=instructor
    )

    assert report.ok, report.problems
    copy = BankMedia.objects.get(bank__slug="pictures-copy")
    assert bytes(copy.data) == CURVE and copy.digest == DIGEST
    assert Bank.objects.get(slug="pictures-copy").items.get().stem == bank.items.get().stem


def test_yaml_export_and_reimport_keep_the_bytes(instructor_client, instructor):
    bank = _import_through_the_page(instructor_client)

    text = bank_export(bank=bank, fmt="yaml")
    report = bank_import(
        text=text.replace(f"slug: {bank.slug}", "slug: pictures-yaml"), fmt="yaml", owner=instructor
    )

    assert report.ok, report.problems
    assert bytes(BankMedia.objects.get(bank__slug="pictures-yaml").data) == CURVE


def test_importing_the_same_image_again_stores_it_once(instructor_client, instructor):
    bank = _import_through_the_page(instructor_client)

    report = bank_import(text=XML, fmt="moodle-xml", bank_slug=bank.slug, owner=instructor)

    assert report.ok and BankMedia.objects.filter(bank=bank).count() == 1


def test_an_import_over_the_total_limit_stores_nothing(instructor, settings):
    settings.BANK_IMPORT_MAX_MEDIA_TOTAL_BYTES = len(CURVE) - 1

    report = bank_import(text=XML, fmt="moodle-xml", bank_slug="too-big", owner=instructor)

    assert not report.ok and "embedded files add up to more than" in report.problems[0].message
    assert not Bank.objects.filter(slug="too-big").exists() and not BankMedia.objects.exists()


def test_the_renderer_shows_only_stored_images_and_links_to_stored_files():
    html = render_markdown(
        f"![curve](media:{DIGEST}/curve.png) ![pixel](https://tracker.example/p.gif) "
        f"![local](/quizzes/media/{DIGEST}/x.png) [notes](media:{DIGEST}/notes.pdf)"
    )

    assert html.count("<img") == 1
    assert f'<img src="{MEDIA_PATH}{DIGEST}/curve.png" alt="curve">' in html
    assert f'<a href="{MEDIA_PATH}{DIGEST}/notes.pdf" rel="noopener">notes</a>' in html
    assert "tracker.example" not in html


def test_the_renderers_media_path_is_the_media_views_address():
    assert (
        reverse("quizzes:media", kwargs={"digest": DIGEST, "name": "a.png"}) == f"{MEDIA_PATH}{DIGEST}/a.png"
    )


def test_a_quiz_owner_keeps_seeing_the_images_of_attempts_at_their_quiz_after_the_bank_is_unshared(
    instructor_client, student
):
    bank = _import_through_the_page(instructor_client)
    quiz_owner = user_create(username="quentin", password="instructor-pass-123", instructor=True)
    share = BankShare.objects.create(bank=bank, user=quiz_owner, role=ShareRole.VIEWER)
    quiz = Quiz.objects.create(slug="borrowed", title="Borrowed", owner=quiz_owner)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1)
    attempt_start(quiz=quiz, student=student)
    share.delete()
    other_quiz_owner = user_create(username="rhea", password="instructor-pass-123", instructor=True)

    assert _client_for(quiz_owner).get(MEDIA_URL).status_code == 200
    assert _client_for(other_quiz_owner).get(MEDIA_URL).status_code == 404
