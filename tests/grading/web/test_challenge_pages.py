"""Challenge entries go through the same submit path, queue, worker and sandbox as exercises."""

import pytest
from django.urls import reverse

from grading import tasks
from grading.challenge import CHALLENGE_SLUG
from grading.challenge.content import starter_source
from grading.models import Submission
from tests.grading.test_challenge import ADAM_LIKE


@pytest.fixture
def entered(student_client, worker_sandbox):
    """Post code to the challenge page and let the worker's task grade it."""

    def enter(source: str) -> Submission:
        response = student_client.post(reverse("grading:challenge"), {"source": source})
        assert response.status_code == 302, response.content[:500]
        entry = Submission.objects.latest("id")
        assert response["Location"] == reverse("grading:submission", args=[entry.pk])
        assert (entry.exercise_slug, entry.status) == (CHALLENGE_SLUG, "queued")
        assert tasks.grade_submission(entry.pk) == "graded"
        entry.refresh_from_db()
        return entry

    return enter


def test_the_challenge_page_shows_the_statement_the_baselines_and_the_starter(student_client):
    page = student_client.get(reverse("grading:challenge"))
    assert page.status_code == 200
    assert b"steps" in page.content and b"AdamW" in page.content
    assert b"def step(params, grads, state)" in page.content
    starter = student_client.get(reverse("grading:challenge_starter"))
    assert starter.content.decode() == starter_source()


def test_an_entry_is_queued_and_graded_by_the_worker_like_any_submission(
    entered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as announced:
        entry = entered(ADAM_LIKE)
    assert entry.verdict["kind"] == "challenge" and entry.verdict["status"] == "passed"
    assert entry.score == pytest.approx(entry.verdict["score"]) and entry.passed
    # A challenge score is no exercise score: mastery, XP and the LMS are not told of it.
    assert announced == []


def test_the_result_shows_the_entry_s_loss_curves_against_the_baselines(entered, student_client):
    entry = entered(ADAM_LIKE)
    page = student_client.get(reverse("grading:submission", args=[entry.pk])).content.decode()
    assert page.count('class="plot"') == 5
    for label in ("your optimizer", "SGD (lr", "SGD with momentum (lr", "Adam (lr", "AdamW (lr", "target"):
        assert label in page
    fragment = student_client.get(reverse("grading:submission_result", args=[entry.pk])).content.decode()
    assert "data-challenge-score" in fragment


def test_a_hostile_entry_is_bounded_by_the_sandbox_like_any_other(entered):
    loop = entered(
        "def init_state(params):\n    return None\ndef step(params, grads, state):\n    while True:\n        pass\n"
    )
    assert (loop.verdict["status"], loop.verdict["sandbox_outcome"]) == ("error", "timeout")
    hoard = entered("import numpy as np\nhoard = [np.ones(10**8) for _ in range(100)]\n" + ADAM_LIKE)
    assert (hoard.verdict["status"], hoard.verdict["sandbox_outcome"]) == ("error", "memory")


def test_an_empty_entry_is_refused_and_nothing_is_stored(student_client):
    response = student_client.post(reverse("grading:challenge"), {"source": "   "})
    assert response.status_code == 400
    assert not Submission.objects.filter(exercise_slug=CHALLENGE_SLUG).exists()


def test_entries_share_the_pending_limit_of_the_queue(student_client, settings):
    settings.GRADING_MAX_PENDING_PER_EXERCISE = 1
    assert student_client.post(reverse("grading:challenge"), {"source": ADAM_LIKE}).status_code == 302
    again = student_client.post(reverse("grading:challenge"), {"source": ADAM_LIKE})
    assert again.status_code == 429
    assert b"m_hat, v_hat = m / (1 - 0.9**t)" in again.content  # the code comes back in the form


def test_another_student_cannot_open_an_entry(student_client, second_student, client):
    student_client.post(reverse("grading:challenge"), {"source": ADAM_LIKE})
    entry = Submission.objects.get(exercise_slug=CHALLENGE_SLUG)
    client.force_login(second_student)
    assert client.get(reverse("grading:submission", args=[entry.pk])).status_code == 404
