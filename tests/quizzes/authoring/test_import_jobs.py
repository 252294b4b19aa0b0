"""A large bank file is read, checked and imported by a job whose page shows how far it has got.

The jobs run on real threads against the real database (hence transactional tests); the size above
which a file goes to a job is lowered so that small files exercise the same path.
"""

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.services import user_create
from quizzes.models import Bank
from quizzes.services import import_jobs
from quizzes.services.banks import CHECKING, COMPARING, READING, SAVING, bank_import, bank_import_preview
from quizzes.services.import_jobs import STALE_SECONDS, JobState

pytestmark = pytest.mark.django_db(transaction=True)

IMPORT_URL = reverse("quizzes:author_import")
QUESTION = (
    '<question type="truefalse"><name><text>Fact {n}</text></name>'
    '<questiontext format="html"><text>Momentum fact number {n} holds.</text></questiontext>'
    '<generalfeedback format="html"><text>It does.</text></generalfeedback>'
    '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
    "</question>\n"
)


def moodle_file(count: int, *, broken: int | None = None) -> str:
    questions = [QUESTION.format(n=n) for n in range(count)]
    if broken is not None:
        questions[broken] = questions[broken].replace('fraction="100"', 'fraction="0"')
    return (
        '<quiz><question type="category"><category><text>$course$/top/Facts</text></category></question>\n'
        + ("".join(questions) + "</quiz>\n")
    )


@pytest.fixture(autouse=True)
def small_files_go_to_jobs(settings):
    settings.BANK_IMPORT_BACKGROUND_BYTES = 2_000


@pytest.fixture
def teacher():
    user = user_create(username="iris", password="instructor-pass-123", instructor=True)
    client = Client()
    client.force_login(user)
    return user, client


def _upload(client, text: str):
    data = {"file": SimpleUploadedFile("facts.xml", text.encode()), "fmt": "moodle-xml", "replace": "on"}
    return client.post(IMPORT_URL, data)


def _until_finished(client, url: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = client.get(url)
        if "quizzes/author_import_progress.html" not in [t.name for t in page.templates]:
            return page
        assert '<meta http-equiv="refresh" content="1">' in page.text
        time.sleep(0.05)
    raise AssertionError(f"the job at {url} did not finish in {seconds} s")


def test_a_large_file_goes_to_a_job_whose_page_refreshes_until_the_preview_then_imports_on_another(teacher):
    _user, client = teacher
    held = import_jobs._slots.acquire(blocking=False) and import_jobs._slots.acquire(blocking=False)
    assert held  # both of this process's job slots are busy: the new job has to wait its turn
    try:
        response = _upload(client, moodle_file(40))
        assert response.status_code == 302
        job_url = response["Location"]
        waiting = client.get(job_url)
        assert waiting.status_code == 200 and "Waiting for another import to finish" in waiting.text
        assert '<meta http-equiv="refresh" content="1">' in waiting.text and "<progress" in waiting.text
        assert "Nothing is written yet" in waiting.text
    finally:
        import_jobs._slots.release()
        import_jobs._slots.release()

    preview_page = _until_finished(client, job_url)

    preview = preview_page.context["preview"]
    assert preview_page.status_code == 200 and preview.summary() == "40 questions: 40 exactly as written."
    assert not Bank.objects.filter(slug="facts").exists()  # a preview writes nothing
    confirm = client.post(IMPORT_URL, {"confirm": preview_page.context["token"]})
    assert confirm.status_code == 302 and confirm["Location"] != job_url
    report = _until_finished(client, confirm["Location"]).context["report"]
    assert report.ok and report.created == 40
    assert Bank.objects.get(slug="facts").items.count() == 40


def test_a_large_file_with_a_problem_is_refused_whole_on_its_job_page(teacher):
    _user, client = teacher

    page = _until_finished(client, _upload(client, moodle_file(30, broken=7))["Location"])

    assert page.status_code == 400 and page.context["preview"] is None
    (problem,) = page.context["report"].problems
    assert "facts.xml:" in str(problem.location) and "Fact 7" in problem.message
    assert not Bank.objects.exists()


def test_another_instructor_cannot_see_a_job(teacher):
    _user, client = teacher
    # Logged in before the job starts: the test database is SQLite's shared in-memory one, where a
    # write that meets the job thread's read of the same table fails at once instead of waiting.
    other = Client()
    other.force_login(user_create(username="otto", password="instructor-pass-123", instructor=True))
    job_url = _upload(client, moodle_file(30))["Location"]

    assert other.get(job_url).status_code == 404
    assert _until_finished(client, job_url).context["preview"] is not None


def test_a_job_whose_process_stopped_is_shown_as_interrupted_and_nothing_is_imported(teacher):
    user, client = teacher
    stopped = JobState(id="x" * 32, step="import", filename="facts.xml", stage=SAVING, done=10, total=40)
    stopped.updated_at = time.time() - STALE_SECONDS - 1
    cache.set(f"bank-import-job:{user.pk}:{stopped.id}", stopped, 600)

    page = client.get(reverse("quizzes:author_import_job", args=[stopped.id]))

    assert page.status_code == 400
    assert "was interrupted before it finished" in page.text and "upload the file again" in page.text


def test_an_unknown_job_is_not_found():
    user = user_create(username="ivy", password="instructor-pass-123", instructor=True)
    client = Client()
    client.force_login(user)

    page = client.get(reverse("quizzes:author_import_job", args=["y" * 32]))

    assert page.status_code == 404 and "expired" in page.text


def test_the_services_report_each_stage_and_every_question_checked_and_saved():
    text = moodle_file(25)
    heard: list[tuple[str, int, int]] = []

    def progress(stage, done, total):
        heard.append((stage, done, total))

    _report, preview = bank_import_preview(text=text, fmt="moodle-xml", filename="f.xml", progress=progress)
    assert preview is not None
    assert heard == [(READING, 0, 0)] + [(CHECKING, n, 25) for n in range(1, 26)] + [(COMPARING, 0, 0)]

    heard.clear()
    report = bank_import(text=text, fmt="moodle-xml", filename="f.xml", progress=progress)
    assert report.ok
    saving = [entry for entry in heard if entry[0] == SAVING]
    assert saving == [(SAVING, n, 25) for n in range(26)]
