"""Every authoring page: anonymous visitors log in first, students are refused, instructors get in."""

import pytest
from django.urls import reverse

from quizzes.services.versions import item_version_current

BANK = {"slug": "optimizers-core"}
ITEM = {"slug": "optimizers-core", "key": "sgd-update-size"}
QUIZ = {"slug": "week-1"}  # the quiz of the `answered` fixture

AUTHORING_PAGES = [
    ("quizzes:author_banks", {}),
    ("quizzes:author_bank_create", {}),
    ("quizzes:author_import", {}),
    ("quizzes:author_bank", BANK),
    ("quizzes:author_bank_edit", BANK),
    ("quizzes:author_bank_delete", BANK),
    ("quizzes:author_bank_validate", BANK),
    ("quizzes:author_bank_export", BANK),
    ("quizzes:author_item_create", BANK),
    ("quizzes:author_item_preview", ITEM),
    ("quizzes:author_item_edit", ITEM),
    ("quizzes:author_item_delete", ITEM),
    ("quizzes:author_item_versions", ITEM),
    ("quizzes:author_item_regrade", {**ITEM, "number": 1}),
    ("quizzes:author_bank_sharing", BANK),
    ("quizzes:author_quizzes", {}),
    ("quizzes:author_quiz_create", {}),
    ("quizzes:author_quiz", QUIZ),
    ("quizzes:author_quiz_edit", QUIZ),
    ("quizzes:author_quiz_delete", QUIZ),
    ("quizzes:author_quiz_grading", QUIZ),
]
PAGE_IDS = [name.split(":")[1] for name, _ in AUTHORING_PAGES]
# Endpoints that only take a POST (an instructor's GET is refused with 405).
POST_ONLY = [("quizzes:author_quiz_grade", {**QUIZ, "attempt_item_id": 1})]
# A large import's job page: an instructor's unknown job is "not found" (tests/.../test_import_jobs.py).
JOB_PAGES = [("quizzes:author_import_job", {"job_id": "j" * 32})]
GATED = AUTHORING_PAGES + POST_ONLY + JOB_PAGES
GATED_IDS = [name.split(":")[1] for name, _ in GATED]


def test_every_authoring_url_is_covered_here():
    from quizzes import urls_authoring

    assert {f"quizzes:{pattern.name}" for pattern in urls_authoring.urlpatterns} == {
        name for name, _ in GATED
    }


@pytest.mark.parametrize(("name", "kwargs"), GATED, ids=GATED_IDS)
def test_anonymous_visitor_is_sent_to_log_in(client, answered, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), GATED, ids=GATED_IDS)
def test_student_is_refused(student_client, answered, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert student_client.get(url).status_code == 403
    assert student_client.post(url).status_code == 403


@pytest.fixture
def answered(answered):
    """The answered item with its first version recorded (the regrade page names a version)."""
    item_version_current(item=answered.item)
    return answered


@pytest.mark.parametrize(("name", "kwargs"), AUTHORING_PAGES, ids=PAGE_IDS)
def test_instructor_opens_the_page(instructor_client, answered, name, kwargs):
    assert instructor_client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_student_post_changes_nothing(student_client, calculation_item):
    from quizzes.models import Bank, Item

    student_client.post(reverse("quizzes:author_bank_delete", kwargs=BANK))
    student_client.post(reverse("quizzes:author_item_delete", kwargs=ITEM))
    assert Bank.objects.filter(slug="optimizers-core").exists()
    assert Item.objects.filter(key="sgd-update-size").exists()
