"""The grading queue is fair: workers interleave students, and one student cannot fill it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from grading.models import Submission
from grading.services import SubmissionLimitReached, claim_next, finish_submission, submission_create

PASSED = {"status": "passed", "score": 1.0, "diagnosis": []}


def queue(student, count: int, *, exercise: str = "sgd") -> list[int]:
    return [
        Submission.objects.create(student=student, exercise_slug=exercise, source=f"# {index}").pk
        for index in range(count)
    ]


def drain_order(steps: int) -> list[int]:
    """Claim and finish one submission at a time, as a single worker would; the ids in order."""
    order = []
    now = timezone.now()
    for _ in range(steps):
        now += timedelta(seconds=1)
        claim = claim_next(worker_id="only-worker", now=now)
        if claim is None:
            break
        finish_submission(claim, PASSED)
        order.append(claim.submission_id)
    return order


def test_a_second_student_waits_behind_a_burst_for_at_most_one_submission(student, second_student):
    burst = queue(student, 50)
    (theirs,) = queue(second_student, 1)
    order = drain_order(3)
    assert order == [burst[0], theirs, burst[1]]


def test_a_student_arriving_while_a_burst_is_being_graded_is_next(student, second_student):
    burst = queue(student, 20)
    assert drain_order(3) == burst[:3]
    (theirs,) = queue(second_student, 1)
    assert drain_order(1) == [theirs]


def test_two_bursting_students_alternate_and_each_keeps_their_own_order(student, second_student):
    first = queue(student, 4)
    second = queue(second_student, 4)
    order = drain_order(8)
    assert order == [first[0], second[0], first[1], second[1], first[2], second[2], first[3], second[3]]


def test_a_student_served_long_ago_goes_before_one_served_just_now(student, second_student):
    third = user_create(username="tia", password="student-pass-123")
    recent, earlier = queue(student, 1), queue(second_student, 1)
    hour_ago = timezone.now() - timedelta(hours=1)
    Submission.objects.filter(pk=earlier[0]).update(status="graded", claimed_at=hour_ago)
    Submission.objects.filter(pk=recent[0]).update(status="graded", claimed_at=timezone.now())
    waiting = [queue(student, 1)[0], queue(second_student, 1)[0], queue(third, 1)[0]]
    # Never served first, then served longest ago, then served most recently.
    assert drain_order(3) == [waiting[2], waiting[1], waiting[0]]


def test_a_third_pending_submission_of_an_exercise_is_refused_and_nothing_stored(student):
    for _ in range(2):
        submission_create(student=student, exercise="sgd", source="x = 1\n")
    with pytest.raises(SubmissionLimitReached, match="already have 2 submissions"):
        submission_create(student=student, exercise="sgd", source="x = 2\n")
    assert Submission.objects.count() == 2
    # Other exercises have their own allowance, and a finished submission frees a place.
    submission_create(student=student, exercise="adam", source="x = 3\n")
    finish_submission(claim_next(worker_id="w"), PASSED)
    submission_create(student=student, exercise="sgd", source="x = 4\n")
    assert Submission.objects.count() == 4


def test_the_pending_limit_follows_the_setting(student, settings):
    settings.GRADING_MAX_PENDING_PER_EXERCISE = 3
    for index in range(3):
        submission_create(student=student, exercise="sgd", source=f"x = {index}\n")
    with pytest.raises(SubmissionLimitReached, match="already have 3"):
        submission_create(student=student, exercise="sgd", source="x = 9\n")


def test_over_the_pending_limit_the_page_says_so_with_429_and_keeps_the_code(student_client, student):
    queue(student, 2)
    response = student_client.post(
        reverse("grading:exercise", args=["sgd"]), {"source": "# my third try\nx = 1\n"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "already have 2 submissions of this exercise waiting" in page
    assert "# my third try" in page
    assert Submission.objects.count() == 2
