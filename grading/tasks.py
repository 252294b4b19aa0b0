"""Grading one claimed submission, as a worker does (`manage.py grading_worker`, grading.worker).

Each worker process keeps one sandbox (a pre-warmed zygote), started lazily or by the worker at
start-up, and restarted if it dies. Grading is idempotent: a worker only grades what it managed
to claim, and only stores a verdict while its claim is current (see grading.services.queue).
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

from grading import events
from grading.challenge import CHALLENGE_SLUG
from grading.challenge.grader import grade_challenge
from grading.grader import GRADING_CPU_SECONDS, grade_source, grading_sandbox, wall_limit
from grading.models import AuthoringJob, Submission
from grading.resilience import TRANSIENT_ERRORS, describe, drop_connection, retry_transient
from grading.sandbox.client import SandboxUnavailable
from grading.services.authoring import grading_key, job_exercise, store_validation, validate_job
from grading.services.queue import (
    Claim,
    claim_submission,
    fail_submission,
    finish_submission,
    heartbeat,
    lease_seconds,
    release_submission,
)
from grading.services.queue_authoring import (
    JobClaim,
    fail_job,
    finish_job,
    heartbeat_job,
    release_job,
)

logger = logging.getLogger("grading.tasks")

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"

_sandbox = None
_sandbox_lock = threading.Lock()


def cpu_seconds() -> int:
    """The CPU limit of one grading run (settings.GRADING_CPU_SECONDS, default grader's)."""

    return int(getattr(settings, "GRADING_CPU_SECONDS", GRADING_CPU_SECONDS))


def get_sandbox():
    """This process's sandbox, started (and self-tested) on first use; raises SandboxUnavailable."""
    global _sandbox

    with _sandbox_lock:
        if _sandbox is None:
            sandbox = grading_sandbox(cpu_seconds())
            sandbox.start()  # fails closed: SandboxUnavailable says what is missing
            _sandbox = sandbox
        return _sandbox


def close_sandbox() -> None:
    global _sandbox
    with _sandbox_lock:
        sandbox, _sandbox = _sandbox, None
    if sandbox is not None:
        sandbox.close()


def abort_sandbox() -> None:
    """Kill this process's sandbox with the run it has in hand (safe from another thread).

    The grading thread then sees SandboxUnavailable, gives its submission back to the queue, and
    the sandbox is started afresh on next use. Used when a stopping worker's grace period ends.
    """
    sandbox = _sandbox
    if sandbox is not None:
        sandbox.abort()


def worker_id() -> str:
    # Recomputed if the process forked (the pid is part of the identity a claim is fenced with).
    global WORKER_ID
    if not WORKER_ID.endswith(f":{os.getpid()}"):
        WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
    return WORKER_ID


class Heartbeat:
    """Renews a claim from a background thread while the main thread grades.

    `beat(claim)` renews it (a submission's by default; an author's job passes its own)."""

    def __init__(
        self, claim: Any, interval: float, *, beat: Callable[[Any], bool] = heartbeat, what: str = ""
    ):
        self.claim = claim
        self.interval = interval
        self.lost = False
        self.renew = beat
        self.what = what or f"submission {claim.submission_id}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{self.what}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not self.renew(self.claim):
                        self.lost = True
                        return
                except TRANSIENT_ERRORS as error:
                    # The database is away: keep trying; a missed beat only shortens the lease.
                    drop_connection()
                    logger.warning("heartbeat for %s failed: %s", self.what, describe(error))
        except Exception:  # a heartbeat that fails only shortens the lease; grading goes on
            logger.exception("heartbeat for %s failed", self.what)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def grade_claimed(claim: Claim, *, stop: threading.Event | None = None) -> str:
    """Grade a submission this worker has claimed and store the verdict. Returns what happened.

    A database that goes away while the verdict is stored is waited for (the claim is fenced, so
    a late store is harmless); `stop` ends that wait when the worker is told to stop.
    """

    submission = retry_transient(
        lambda: Submission.objects.only("exercise_slug", "source").get(pk=claim.submission_id),
        what="reading a claimed submission",
        stop=stop,
    )
    try:
        key, grade, announce = _grading_of(submission.exercise_slug, stop)
    except ValueError:
        reason = "This exercise is no longer published by its authors, so it cannot be graded."
        retry_transient(lambda: fail_submission(claim, reason), what="recording a grader error", stop=stop)
        return "grader-error"
    with Heartbeat(claim, interval=max(lease_seconds() / 3, 0.2)):
        verdict = _in_sandbox(
            lambda: grade(
                key, submission.source, sandbox=get_sandbox(), wall_seconds=wall_limit(cpu_seconds())
            ),
            release=lambda: release_submission(claim),
            fail=lambda reason: fail_submission(claim, reason),
            subject="submission",
            work="submission",
            name=f"submission {claim.submission_id}",
            stop=stop,
        )
    if verdict is None:
        return "grader-error"
    stored = retry_transient(
        lambda: finish_submission(claim, verdict.to_dict()), what="storing a verdict", stop=stop
    )
    if not stored:
        return "claim-lost"
    logger.info("submission %s graded (%s) by %s", claim.submission_id, verdict.status, claim.worker_id)
    if announce:
        notify_graded(claim.submission_id)
    return "graded"


def _grading_of(slug: str, stop: threading.Event | None) -> tuple[str, Callable[..., Any], bool]:
    """How a submission to `slug` is graded: the key to grade against, the grader, and whether the
    verdict is announced. Raises ValueError when an instructor's exercise is no longer published."""
    if slug == CHALLENGE_SLUG:
        # Run the same way (sandbox, limits), scored only on convergence; a challenge score is no
        # exercise score, so mastery and the LMS do not hear of it.
        return CHALLENGE_SLUG, grade_challenge, False
    # A folder's slug, or the content key of an instructor's exercise as last published.
    key = retry_transient(lambda: grading_key(slug), what="reading the exercise", stop=stop)
    return key, grade_source, True


def notify_graded(submission_id: int) -> None:
    """Announce the verdict just stored (`grading.events.submission_graded`, after commit).

    Listeners (progress: mastery, streaks, achievements) are idempotent, so a retry can never
    double-count; one that fails is logged and does not touch the verdict.
    """
    events.send_on_commit(events.submission_graded, submission_id=submission_id)


def grade_submission(submission_id: int) -> str:
    """Claim and grade one given submission (tests, tools); the worker loop uses `claim_next`.

    A submission that is graded or held by a live worker is left alone ("not-claimed").
    """
    claim = claim_submission(submission_id, worker_id=worker_id())
    if claim is None:
        return "not-claimed"
    return grade_claimed(claim)


def run_authoring_job(claim: JobClaim, *, stop: threading.Event | None = None) -> str:
    """Run an author's job this worker has claimed (a validation or a preview) and store its result.

    A validation's report is stored on the job and on the exercise, against the draft the job
    carries, in one transaction and only while the claim is current. Like `grade_claimed`, a
    sandbox that is not there gives the job back and raises SandboxUnavailable.
    """

    job = retry_transient(
        lambda: AuthoringJob.objects.select_related("exercise").get(pk=claim.job_id),
        what="reading a claimed job",
        stop=stop,
    )

    def run() -> tuple[dict, Callable[[], None] | None]:
        if job.kind == AuthoringJob.Kind.VALIDATE:
            report = validate_job(job, sandbox=get_sandbox())
            return report, lambda: store_validation(
                exercise_id=job.exercise_id, digest=job.digest, report=report
            )
        key = job_exercise(job).slug
        verdict = grade_source(key, job.source, sandbox=get_sandbox(), wall_seconds=wall_limit(cpu_seconds()))
        return verdict.to_dict(), None

    with Heartbeat(claim, interval=max(lease_seconds() / 3, 0.2), beat=heartbeat_job, what=f"job {job.pk}"):
        outcome = _in_sandbox(
            run,
            release=lambda: release_job(claim),
            fail=lambda reason: fail_job(claim, reason),
            subject=job.get_kind_display().lower(),
            work="job",
            name=f"authoring job {claim.job_id}",
            stop=stop,
        )
    if outcome is None:
        return "grader-error"
    result, store = outcome
    stored = retry_transient(
        lambda: finish_job(claim, result, store=store), what="storing a job result", stop=stop
    )
    if not stored:
        return "claim-lost"
    logger.info("authoring job %s (%s) done by %s", claim.job_id, job.kind, claim.worker_id)
    return "done"


def _in_sandbox[T](
    run: Callable[[], T],
    *,
    release: Callable[[], bool],
    fail: Callable[[str], bool],
    subject: str,
    work: str,
    name: str,
    stop: threading.Event | None,
) -> T | None:
    """Run a claimed submission or job that needs the sandbox: what `run` returns, or None once a
    failure of the grader itself is recorded on it (`fail`; not the author's or student's fault).
    `subject` names it in that record, `work` in the retries' logs and `name` in the log.

    Fails closed: with no sandbox there is no result without isolation, so the work is given back
    untouched (`release`) for another worker, or for this one once its sandbox is back, and
    SandboxUnavailable is raised again to make the worker notice.
    """
    try:
        return run()
    except SandboxUnavailable as exc:
        close_sandbox()
        retry_transient(release, what=f"releasing a {work}", stop=stop)
        logger.error("cannot run %s: %s", name, exc)
        raise
    except Exception as exc:
        logger.exception("%s failed", name)
        reason = f"The grader failed on this {subject} ({type(exc).__name__})."
        retry_transient(lambda: fail(reason), what="recording a grader error", stop=stop)
        return None
