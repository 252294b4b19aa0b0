from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import Submission
from grading.services.queue import (
    MAX_ATTEMPTS,
    claim_next,
    claim_submission,
    finish_submission,
    heartbeat,
    release_submission,
    requeue_stale,
)

LEASE = 30.0
PASSED = {"status": "passed", "score": 1.0, "diagnosis": []}


@pytest.fixture
def queued(student):
    return Submission.objects.create(student=student, exercise_slug="sgd", source="x = 1")


def test_a_fresh_claim_is_exclusive(queued):
    first = claim_submission(queued.pk, worker_id="w1", lease=LEASE)
    assert first is not None and first.attempt == 1
    assert claim_submission(queued.pk, worker_id="w2", lease=LEASE) is None
    queued.refresh_from_db()
    assert (queued.status, queued.claimed_by, queued.attempts) == ("running", "w1", 1)


def test_a_graded_submission_cannot_be_claimed_again(queued):
    claim = claim_submission(queued.pk, worker_id="w1", lease=LEASE)
    assert finish_submission(claim, PASSED)
    assert (
        claim_submission(queued.pk, worker_id="w2", lease=LEASE, now=timezone.now() + timedelta(hours=1))
        is None
    )
    queued.refresh_from_db()
    assert (queued.status, queued.passed, queued.score, queued.attempts) == ("graded", True, 1.0, 1)


def test_a_stale_claim_is_taken_over_and_the_late_worker_cannot_store_its_verdict(queued):
    dead = claim_submission(queued.pk, worker_id="dead", lease=LEASE)
    later = timezone.now() + timedelta(seconds=LEASE + 1)
    alive = claim_submission(queued.pk, worker_id="alive", lease=LEASE, now=later)
    assert alive is not None and alive.attempt == 2
    assert not heartbeat(dead)
    assert not finish_submission(dead, {"status": "failed", "score": 0.1})
    assert finish_submission(alive, PASSED)
    queued.refresh_from_db()
    assert (queued.status, queued.claimed_by, queued.verdict) == ("graded", "alive", PASSED)


def test_heartbeats_keep_a_claim_alive(queued):
    claim = claim_submission(queued.pk, worker_id="w1", lease=LEASE)
    assert heartbeat(claim)
    queued.refresh_from_db()
    almost_stale = queued.heartbeat_at + timedelta(seconds=LEASE - 1)
    assert claim_submission(queued.pk, worker_id="w2", lease=LEASE, now=almost_stale) is None


def test_sweep_puts_submissions_of_dead_workers_back_in_the_queue(queued):
    dead = claim_submission(queued.pk, worker_id="dead", lease=LEASE)
    assert requeue_stale(lease=LEASE) == []
    later = timezone.now() + timedelta(seconds=LEASE + 1)
    requeued = requeue_stale(lease=LEASE, now=later)
    assert requeued == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == "queued"
    taken_over = claim_next(worker_id="alive", now=later)
    assert taken_over is not None and (taken_over.submission_id, taken_over.attempt) == (queued.pk, 2)
    assert not finish_submission(dead, PASSED), "the dead worker's claim is fenced off"


def test_a_queued_submission_needs_no_task_to_be_claimed(queued):
    claim = claim_next(worker_id="w1")
    assert claim is not None and claim.submission_id == queued.pk
    assert claim_next(worker_id="w2") is None


def test_a_submission_that_keeps_killing_workers_is_given_up(queued):
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        now += timedelta(seconds=LEASE + 1)
        assert claim_submission(queued.pk, worker_id=f"w{attempt}", lease=LEASE, now=now) is not None
    now += timedelta(seconds=LEASE + 1)
    assert claim_submission(queued.pk, worker_id="last", lease=LEASE, now=now) is None
    queued.refresh_from_db()
    assert queued.status == "error"
    assert "interrupted" in queued.grading_error


def test_a_released_claim_does_not_count_as_an_attempt(queued):
    claim = claim_submission(queued.pk, worker_id="w1", lease=LEASE)
    assert release_submission(claim)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.claimed_by) == ("queued", 0, "")
