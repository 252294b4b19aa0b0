"""Authors' jobs on the grading queue: validations and previews, run by the same workers as submissions.

The request that asks for a validation or a preview only queues an `AuthoringJob`; a worker runs it
in its sandbox and stores the result on the job (and, for a validation, on the exercise, against the
draft it checked). Claims work as for submissions (grading.services.queue): a lease renewed by a
heartbeat, a fencing token (`attempts`) that makes a late result from a worker that lost its claim
harmless, and stale claims put back in the queue.

Fairness towards students:
- Students go first. A worker takes an author's job only when no submission is queued, with one
  exception so that authors are not starved on a busy host: a job that has waited more than
  `max_wait_seconds()` (settings.GRADING_AUTHORING_MAX_WAIT, default 60 s) is taken ahead of the
  students, provided no other author's job is running at that moment. So while students wait, at
  most one worker at a time runs an author's job.
- Among authors, the one served longest ago goes first (as among students).
- Each author has at most `MAX_PENDING_PER_AUTHOR` jobs waiting or running; an exercise has at most
  one validation waiting (asking again brings the waiting one up to the current draft) and an author
  at most one preview waiting per exercise (a new one replaces its code). Validations of one exercise
  run one at a time, so their results are stored in the order they were asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from grading.models import AuthoredExercise, AuthoringJob, Submission
from grading.services.queue import (
    ERROR_CHARS,
    MAX_ATTEMPTS,
    first_unclaimed,
    give_back,
    lease_seconds,
    renew,
    settle,
    take,
)

logger = logging.getLogger("grading.queue")

DEFAULT_MAX_WAIT_SECONDS = 60.0
MAX_PENDING_PER_AUTHOR = 3
# Finished previews an author keeps per exercise (older ones are dropped when a new one is queued).
KEEP_PREVIEWS = 5

Job = AuthoringJob


def max_wait_seconds() -> float:
    """How long an author's job waits behind students before it may go first."""
    return float(getattr(settings, "GRADING_AUTHORING_MAX_WAIT", DEFAULT_MAX_WAIT_SECONDS))


class JobRefused(ValueError):
    """The job cannot be queued now; the message says why and what to do."""


@dataclass(frozen=True)
class JobClaim:
    job_id: int
    worker_id: str
    attempt: int  # the job's `attempts` after this claim: the fencing token


# ---------------------------------------------------------------- queueing (the web request)


def _check_author_limit(user, *, sparing: int | None = None) -> None:
    pending = Job.objects.filter(requested_by=user, status__in=Job.PENDING)
    if sparing is not None:
        pending = pending.exclude(pk=sparing)
    if pending.count() >= MAX_PENDING_PER_AUTHOR:
        raise JobRefused(
            f"You already have {MAX_PENDING_PER_AUTHOR} validations or previews waiting; "
            "wait for one of them to finish, then ask again."
        )


def _enqueue(
    *, exercise: AuthoredExercise, user, kind: str, content: Mapping[str, Any], digest: str, source: str = ""
) -> AuthoringJob:
    waiting = Job.objects.filter(exercise=exercise, kind=kind, status=Job.Status.QUEUED)
    if kind == Job.Kind.PREVIEW:
        waiting = waiting.filter(requested_by=user)
    for _ in range(3):
        with transaction.atomic():
            job = waiting.select_for_update().first()
            if job is not None:
                # Not started yet: bring it up to what was asked now instead of queueing a second one.
                _check_author_limit(user, sparing=job.pk)
                updated = waiting.filter(pk=job.pk).update(
                    content=dict(content), digest=digest, source=source, requested_by=user
                )
                if updated:
                    job.refresh_from_db()
                    return job
                continue  # claimed meanwhile: queue a new one
            _check_author_limit(user)
            try:
                with transaction.atomic():
                    return Job.objects.create(
                        exercise=exercise,
                        kind=kind,
                        requested_by=user,
                        content=dict(content),
                        digest=digest,
                        source=source,
                    )
            except IntegrityError:
                continue  # another request queued one at the same moment: join it
    raise JobRefused("The queue is busy with this exercise; try again in a moment.")


def enqueue_validation(
    *, exercise: AuthoredExercise, user, content: Mapping[str, Any], digest: str
) -> AuthoringJob:
    """Queue a validation of this draft (or bring the one waiting up to it); JobRefused over the limit.
    A validation of this very draft that is waiting or running already is returned as it is."""
    same = Job.objects.filter(
        exercise=exercise, kind=Job.Kind.VALIDATE, status__in=Job.PENDING, digest=digest
    )
    existing = same.order_by("created_at").first()
    if existing is not None:
        return existing
    return _enqueue(exercise=exercise, user=user, kind=Job.Kind.VALIDATE, content=content, digest=digest)


def enqueue_preview(
    *, exercise: AuthoredExercise, user, content: Mapping[str, Any], digest: str, source: str
) -> AuthoringJob:
    """Queue grading `source` against this draft for `user`; JobRefused over the limit."""
    job = _enqueue(
        exercise=exercise, user=user, kind=Job.Kind.PREVIEW, content=content, digest=digest, source=source
    )
    old = (
        Job.objects.filter(exercise=exercise, requested_by=user, kind=Job.Kind.PREVIEW)
        .exclude(status__in=Job.PENDING)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[KEEP_PREVIEWS:]
    )
    Job.objects.filter(pk__in=list(old)).delete()
    return job


def pending_validation(exercise: AuthoredExercise) -> AuthoringJob | None:
    """The validation of this exercise waiting or running, if any (the running one first)."""
    return (
        Job.objects.filter(exercise=exercise, kind=Job.Kind.VALIDATE, status__in=Job.PENDING)
        .order_by("-status", "created_at")  # "running" sorts after "queued": reversed, it comes first
        .first()
    )


def jobs_ahead(job: AuthoringJob) -> int:
    """Roughly how many jobs a worker takes before this one: queued submissions and older author jobs."""
    if job.status != Job.Status.QUEUED:
        return 0
    students = Submission.objects.filter(status=Submission.Status.QUEUED).count()
    authors = Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=job.created_at).count()
    return students + authors


# ---------------------------------------------------------------- claiming (the worker)


def _fair_order():
    last_served = Subquery(
        Job.objects.filter(requested_by_id=OuterRef("requested_by_id"), claimed_at__isnull=False)
        .order_by("-claimed_at")
        .values("claimed_at")[:1]
    )
    running_validation = Job.objects.filter(
        exercise_id=OuterRef("exercise_id"), kind=Job.Kind.VALIDATE, status=Job.Status.RUNNING
    )
    return (
        Job.objects.filter(status=Job.Status.QUEUED)
        .annotate(validation_running=Exists(running_validation))
        .exclude(kind=Job.Kind.VALIDATE, validation_running=True)
        .annotate(last_served=last_served)
        .order_by(F("last_served").asc(nulls_first=True), "created_at", "id")
    )


def students_waiting() -> bool:
    return Submission.objects.filter(status=Submission.Status.QUEUED).exists()


def claim_next_job(*, worker_id: str, now: datetime | None = None) -> JobClaim | None:
    """Claim the next author's job if the fairness rules above allow one now; None otherwise."""
    now = now or timezone.now()
    if not Job.objects.filter(status=Job.Status.QUEUED).exists():
        return None  # the common case, one cheap query per poll
    candidates = _fair_order()
    if students_waiting():
        if Job.objects.filter(status=Job.Status.RUNNING).exists():
            return None
        candidates = candidates.filter(created_at__lte=now - timedelta(seconds=max_wait_seconds()))
    while True:
        with transaction.atomic():
            job_id = first_unclaimed(candidates)
            if job_id is None:
                return None
            queued = Job.objects.filter(status=Job.Status.QUEUED)
            attempt = take(queued, job_id, Job.Status.RUNNING, worker_id=worker_id, now=now)
        if attempt is None:
            continue  # taken between the pick and the update (only without row locks): pick again
        claim = JobClaim(job_id=job_id, worker_id=worker_id, attempt=attempt)
        if attempt <= MAX_ATTEMPTS:
            return claim
        fail_job(claim, f"The run was interrupted {attempt - 1} times; it will not be retried.", now=now)
        logger.error("authoring job %s given up after %s interrupted attempts", job_id, attempt - 1)


def _held(claim: JobClaim):
    return Job.objects.filter(
        pk=claim.job_id, status=Job.Status.RUNNING, claimed_by=claim.worker_id, attempts=claim.attempt
    )


def heartbeat_job(claim: JobClaim) -> bool:
    return renew(_held(claim))


def finish_job(claim: JobClaim, result: dict[str, Any], *, store=None) -> bool:
    """Store the result if the claim is still current, and run `store()` in the same transaction
    (a validation's report goes onto the exercise too); False, nothing written, otherwise."""
    with transaction.atomic():
        stored = settle(_held(claim), Job.Status.DONE, ended="finished_at", result=result)
        if stored and store is not None:
            store()
    if not stored:
        logger.warning("authoring job %s: claim %s lost; result discarded", claim.job_id, claim)
    return stored


def fail_job(claim: JobClaim, reason: str, *, now: datetime | None = None) -> bool:
    return settle(_held(claim), Job.Status.ERROR, ended="finished_at", now=now, error=reason[:ERROR_CHARS])


def release_job(claim: JobClaim) -> bool:
    """Give the job back untouched (no sandbox here now); the claim does not count."""
    try:
        return give_back(_held(claim), Job.Status.QUEUED)
    except IntegrityError:
        # A newer job of the same kind was queued meanwhile and takes its place: this one ends.
        return fail_job(claim, "Replaced by a newer request before it could run.")


def requeue_stale_jobs(*, lease: float | None = None, now: datetime | None = None) -> list[int]:
    """Put the jobs of dead workers back in the queue (or end them, if a newer one is waiting)."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=lease or lease_seconds())
    requeued = []
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before)
    for job_id, beat in stale.values_list("id", "heartbeat_at"):
        mine = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, heartbeat_at=beat)
        try:
            with transaction.atomic():
                reset = mine.update(status=Job.Status.QUEUED)
        except IntegrityError:
            reset = 0
            mine.update(
                status=Job.Status.ERROR,
                error="Its worker stopped; a newer request replaces it.",
                finished_at=now,
            )
        if reset:
            logger.warning("authoring job %s: its worker stopped heartbeating; queued again", job_id)
            requeued.append(job_id)
    return requeued
