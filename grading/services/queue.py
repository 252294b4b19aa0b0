"""The grading lease: how workers claim submissions so that none is lost and none is graded twice.

- A worker *claims* a submission with one conditional UPDATE: it succeeds only if the submission
  is queued, or running under a claim whose heartbeat is older than the lease (its worker died).
- While grading, the worker refreshes `heartbeat_at` (see `grading.tasks.Heartbeat`).
- The verdict is stored with another conditional UPDATE that names the claim (worker id and
  attempt number): if another worker took the submission over in the meantime, the late result
  is discarded. So a submission is graded exactly once, whichever workers die on the way.
- `requeue_stale` (run by workers at start and periodically) puts abandoned submissions back on
  the task queue, because the task of a killed worker is never retried by the queue itself.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from grading.models import Submission

logger = logging.getLogger("grading.queue")

DEFAULT_LEASE_SECONDS = 30.0
# A submission claimed this many times without a verdict is given up on: something about it
# keeps taking its workers down, and retrying forever would starve everyone else.
MAX_ATTEMPTS = 3
# A queued submission whose task has not started after this many leases gets a fresh task
# (its task may have been lost, e.g. enqueued by a process that died before writing it).
STALE_QUEUED_LEASES = 5

_lease_override: float | None = None


def lease_seconds() -> float:
    """How long a claim survives without a heartbeat (settings.GRADING_LEASE_SECONDS, default 30 s)."""
    if _lease_override is not None:
        return _lease_override
    return float(getattr(settings, "GRADING_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def set_lease_seconds(seconds: float | None) -> None:
    """Override the lease for this process (the worker command's --lease-seconds)."""
    global _lease_override
    if seconds is not None and seconds <= 0:
        raise ValueError("the lease must be a positive number of seconds")
    _lease_override = seconds


@dataclass(frozen=True)
class Claim:
    submission_id: int
    worker_id: str
    attempt: int  # the submission's `attempts` after this claim: the fencing token


def enqueue_grading(submission_id: int) -> None:
    """Queue a grading task now (call it from `transaction.on_commit` when inside a transaction)."""
    from grading.tasks import grade_submission  # the task module imports this one

    Submission.objects.filter(pk=submission_id).update(enqueued_at=timezone.now())
    grade_submission.enqueue(submission_id)


def claim_submission(
    submission_id: int, *, worker_id: str, lease: float | None = None, now: datetime | None = None
) -> Claim | None:
    """Take the submission for grading, or None if it is graded or held by a live worker."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=lease or lease_seconds())
    claimable = Q(status=Submission.Status.QUEUED) | Q(
        status=Submission.Status.RUNNING, heartbeat_at__lt=stale_before
    )
    with transaction.atomic():
        updated = Submission.objects.filter(claimable, pk=submission_id).update(
            status=Submission.Status.RUNNING,
            claimed_by=worker_id,
            claimed_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
        if not updated:
            return None
        attempt = Submission.objects.filter(pk=submission_id).values_list("attempts", flat=True).get()
    if attempt > MAX_ATTEMPTS:
        Submission.objects.filter(pk=submission_id, attempts=attempt).update(
            status=Submission.Status.ERROR,
            grading_error=f"Grading was interrupted {attempt - 1} times; it will not be retried.",
            graded_at=now,
        )
        logger.error("submission %s given up after %s interrupted attempts", submission_id, attempt - 1)
        return None
    return Claim(submission_id=submission_id, worker_id=worker_id, attempt=attempt)


def _held(claim: Claim):
    return Submission.objects.filter(
        pk=claim.submission_id,
        status=Submission.Status.RUNNING,
        claimed_by=claim.worker_id,
        attempts=claim.attempt,
    )


def heartbeat(claim: Claim) -> bool:
    """Renew the lease; False if the claim was lost (another worker took the submission over)."""
    return _held(claim).update(heartbeat_at=timezone.now()) == 1


def finish_submission(claim: Claim, verdict: dict) -> bool:
    """Store the verdict if the claim is still current; False (nothing written) otherwise."""
    now = timezone.now()
    stored = _held(claim).update(
        status=Submission.Status.GRADED,
        verdict=verdict,
        score=float(verdict.get("score") or 0.0),
        passed=verdict.get("status") == "passed",
        graded_at=now,
        heartbeat_at=now,
        grading_error="",
    )
    if not stored:
        logger.warning("submission %s: claim %s lost; verdict discarded", claim.submission_id, claim)
    return stored == 1


def fail_submission(claim: Claim, reason: str) -> bool:
    """The grader itself broke on this submission (not the student's fault): record why."""
    now = timezone.now()
    return (
        _held(claim).update(
            status=Submission.Status.ERROR, grading_error=reason[:2000], graded_at=now, heartbeat_at=now
        )
        == 1
    )


def release_submission(claim: Claim) -> bool:
    """Give the submission back untouched (this worker cannot grade now); the claim does not count."""
    return (
        _held(claim).update(
            status=Submission.Status.QUEUED,
            claimed_by="",
            claimed_at=None,
            heartbeat_at=None,
            attempts=F("attempts") - 1,
        )
        == 1
    )


def requeue_stale(*, lease: float | None = None, now: datetime | None = None) -> list[int]:
    """Put abandoned submissions back on the queue; returns their ids.

    Abandoned means running under a claim whose heartbeat is older than the lease, or queued for
    several leases without a task having started. Safe to run from any number of workers at once:
    the reset is conditional, and a duplicate task finds nothing to claim.
    """
    now = now or timezone.now()
    lease = lease or lease_seconds()
    stale_before = now - timedelta(seconds=lease)
    requeued = []
    stale_running = Submission.objects.filter(status=Submission.Status.RUNNING, heartbeat_at__lt=stale_before)
    for submission_id, beat in stale_running.values_list("id", "heartbeat_at"):
        reset = Submission.objects.filter(
            pk=submission_id, status=Submission.Status.RUNNING, heartbeat_at=beat
        ).update(status=Submission.Status.QUEUED)
        if reset:
            logger.warning("submission %s: its worker stopped heartbeating; queued again", submission_id)
            requeued.append(submission_id)
    forgotten_before = now - timedelta(seconds=lease * STALE_QUEUED_LEASES)
    forgotten = Submission.objects.filter(status=Submission.Status.QUEUED).filter(
        Q(enqueued_at__lt=forgotten_before) | Q(enqueued_at__isnull=True, created_at__lt=forgotten_before)
    )
    requeued.extend(pk for pk in forgotten.values_list("id", flat=True) if pk not in requeued)
    for submission_id in requeued:
        enqueue_grading(submission_id)
    return requeued
