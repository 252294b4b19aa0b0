"""The grading queue: submissions are the jobs, claimed by workers under a lease, fairly.

- A worker *claims* the next submission with `claim_next`: one transaction that picks a queued
  submission (on PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers never
  wait for each other; on SQLite the transaction takes the write lock when it begins, see
  `transaction_mode` in the settings) and marks it running under the worker's id.
- The pick is fair between students: the queued submission whose student was served longest ago
  (never served comes first) goes next, the oldest of that student's first. One student's burst
  therefore delays another student by at most one grading slot.
- While grading, the worker refreshes `heartbeat_at` (see `grading.tasks.Heartbeat`).
- The verdict is stored with a conditional UPDATE that names the claim (worker id and attempt
  number): if another worker took the submission over in the meantime, the late result is
  discarded. So a submission is graded exactly once, whichever workers die on the way.
- `requeue_stale` (run by every worker periodically) puts the submissions of dead workers (their
  heartbeat is older than the lease) back in the queue.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from grading.models import Submission

logger = logging.getLogger("grading.queue")

DEFAULT_LEASE_SECONDS = 30.0
# A submission claimed this many times without a verdict is given up on: something about it
# keeps taking its workers down, and retrying forever would starve everyone else.
MAX_ATTEMPTS = 3
# How much of a grader's own error message a row keeps.
ERROR_CHARS = 2000

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


def take(claimable: QuerySet, pk: int, running: str, *, worker_id: str, now: datetime) -> int | None:
    """Mark row `pk` (a submission or an author's job) `running` under `worker_id` if `claimable` still
    holds it, inside the caller's transaction; the row's new attempt number (the claim's fencing
    token), or None if another worker took it first."""
    updated = claimable.filter(pk=pk).update(
        status=running, claimed_by=worker_id, claimed_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not updated:
        return None
    return claimable.model._default_manager.filter(pk=pk).values_list("attempts", flat=True).get()


def _take(submission_id: int, claimable: Q, *, worker_id: str, now: datetime) -> int | None:
    """Mark the submission running under `worker_id` if it is still claimable; its new attempt number."""
    rows = Submission.objects.filter(claimable)
    return take(rows, submission_id, Submission.Status.RUNNING, worker_id=worker_id, now=now)


def _claim_or_give_up(submission_id: int, attempt: int, *, worker_id: str, now: datetime) -> Claim | None:
    claim = Claim(submission_id=submission_id, worker_id=worker_id, attempt=attempt)
    if attempt <= MAX_ATTEMPTS:
        return claim
    fail_submission(claim, f"Grading was interrupted {attempt - 1} times; it will not be retried.", now=now)
    logger.error("submission %s given up after %s interrupted attempts", submission_id, attempt - 1)
    return None


def claim_submission(
    submission_id: int, *, worker_id: str, lease: float | None = None, now: datetime | None = None
) -> Claim | None:
    """Take this submission for grading, or None if it is graded or held by a live worker."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=lease or lease_seconds())
    claimable = Q(status=Submission.Status.QUEUED) | Q(
        status=Submission.Status.RUNNING, heartbeat_at__lt=stale_before
    )
    with transaction.atomic():
        attempt = _take(submission_id, claimable, worker_id=worker_id, now=now)
    if attempt is None:
        return None
    return _claim_or_give_up(submission_id, attempt, worker_id=worker_id, now=now)


def fair_order():
    """Queued submissions in the order workers take them: the student served longest ago first
    (never served before anyone), then that student's oldest submission."""
    last_served = Subquery(
        Submission.objects.filter(student_id=OuterRef("student_id"), claimed_at__isnull=False)
        .order_by("-claimed_at")
        .values("claimed_at")[:1]
    )
    return (
        Submission.objects.filter(status=Submission.Status.QUEUED)
        .annotate(last_served=last_served)
        .order_by(F("last_served").asc(nulls_first=True), "created_at", "id")
    )


def claim_next(*, worker_id: str, now: datetime | None = None) -> Claim | None:
    """Claim the next submission in fair order; None when nothing is queued."""
    while True:
        now = now or timezone.now()
        with transaction.atomic():
            submission_id = first_unclaimed(fair_order())
            if submission_id is None:
                return None
            attempt = _take(submission_id, Q(status=Submission.Status.QUEUED), worker_id=worker_id, now=now)
        if attempt is None:
            continue  # taken between the pick and the update (only without row locks): pick again
        claim = _claim_or_give_up(submission_id, attempt, worker_id=worker_id, now=now)
        if claim is not None:
            return claim


def _held(claim: Claim):
    return Submission.objects.filter(
        pk=claim.submission_id,
        status=Submission.Status.RUNNING,
        claimed_by=claim.worker_id,
        attempts=claim.attempt,
    )


def heartbeat(claim: Claim) -> bool:
    """Renew the lease; False if the claim was lost (another worker took the submission over)."""
    return renew(_held(claim))


def finish_submission(claim: Claim, verdict: dict) -> bool:
    """Store the verdict if the claim is still current; False (nothing written) otherwise."""
    stored = settle(
        _held(claim),
        Submission.Status.GRADED,
        ended="graded_at",
        verdict=verdict,
        score=float(verdict.get("score") or 0.0),
        passed=verdict.get("status") == "passed",
        grading_error="",
    )
    if not stored:
        logger.warning("submission %s: claim %s lost; verdict discarded", claim.submission_id, claim)
    return stored


def fail_submission(claim: Claim, reason: str, *, now: datetime | None = None) -> bool:
    """The grader itself broke on this submission (not the student's fault): record why."""
    return settle(
        _held(claim), Submission.Status.ERROR, ended="graded_at", now=now, grading_error=reason[:ERROR_CHARS]
    )


def release_submission(claim: Claim) -> bool:
    """Give the submission back untouched (this worker cannot grade now); the claim does not count."""
    return give_back(_held(claim), Submission.Status.QUEUED)


def first_unclaimed(candidates: QuerySet) -> int | None:
    """The id of the first of the candidates (a queue in its order), inside the caller's transaction.
    Where the database can, rows another worker is claiming right now are skipped, not waited for."""
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates.values_list("pk", flat=True).first()


# Submissions and author jobs share the claim's life: a worker renews its lease, then either settles
# the row (its outcome, written only while the claim is still current) or gives it back.


def renew(held: QuerySet) -> bool:
    """Renew the lease of a claimed row (a submission or an author's job); False if the claim was lost."""
    return held.update(heartbeat_at=timezone.now()) == 1


def settle(held: QuerySet, status: str, *, ended: str, now: datetime | None = None, **outcome: Any) -> bool:
    """Write a claimed row's final status and outcome, its end time (`now`) in the field `ended`, if
    the claim is still current; False, nothing written, if it was lost."""
    now = now or timezone.now()
    return held.update(status=status, heartbeat_at=now, **{ended: now}, **outcome) == 1


def give_back(held: QuerySet, queued: str) -> bool:
    """Put a claimed row (a submission or an author's job) back in its queue untouched: the claim
    is forgotten and does not count as an attempt. False if the claim was no longer held."""
    return (
        held.update(
            status=queued, claimed_by="", claimed_at=None, heartbeat_at=None, attempts=F("attempts") - 1
        )
        == 1
    )


def requeue_stale(*, lease: float | None = None, now: datetime | None = None) -> list[int]:
    """Put the submissions of dead workers (heartbeat older than the lease) back in the queue.

    Safe to run from any number of workers at once: each reset is conditional on the heartbeat
    it saw, and the claim that follows counts as a new attempt (the fencing token moves on).
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=lease or lease_seconds())
    requeued = []
    stale_running = Submission.objects.filter(status=Submission.Status.RUNNING, heartbeat_at__lt=stale_before)
    for submission_id, beat in stale_running.values_list("id", "heartbeat_at"):
        reset = Submission.objects.filter(
            pk=submission_id, status=Submission.Status.RUNNING, heartbeat_at=beat
        ).update(status=Submission.Status.QUEUED)
        if reset:
            logger.warning("submission %s: its worker stopped heartbeating; queued again", submission_id)
            requeued.append(submission_id)
    return requeued
