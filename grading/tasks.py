"""The grading task, run by workers on the `grading` queue (`manage.py grading_worker`).

Each worker process keeps one sandbox (a pre-warmed zygote), started lazily or by the worker at
start-up, and restarted if it dies. The task is idempotent: it only grades what it manages to
claim, and only stores a verdict while its claim is current (see grading.services.queue).
"""

import logging
import os
import socket
import threading

from django.db import connection
from django.tasks import task

from grading import events
from grading.models import Submission
from grading.services.queue import (
    Claim,
    claim_submission,
    fail_submission,
    finish_submission,
    heartbeat,
    lease_seconds,
    release_submission,
)

logger = logging.getLogger("grading.tasks")

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"

_sandbox = None
_sandbox_lock = threading.Lock()


def get_sandbox():
    """This process's sandbox, started (and self-tested) on first use; raises SandboxUnavailable."""
    global _sandbox
    from grading.sandbox.client import Sandbox

    with _sandbox_lock:
        if _sandbox is None:
            sandbox = Sandbox()
            sandbox.start()  # fails closed: SandboxUnavailable says what is missing
            _sandbox = sandbox
        return _sandbox


def close_sandbox() -> None:
    global _sandbox
    with _sandbox_lock:
        sandbox, _sandbox = _sandbox, None
    if sandbox is not None:
        sandbox.close()


def worker_id() -> str:
    # Recomputed if the process forked (the pid is part of the identity a claim is fenced with).
    global WORKER_ID
    if not WORKER_ID.endswith(f":{os.getpid()}"):
        WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
    return WORKER_ID


class Heartbeat:
    """Renews a claim from a background thread while the main thread grades."""

    def __init__(self, claim: Claim, interval: float):
        self.claim = claim
        self.interval = interval
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"heartbeat-{claim.submission_id}", daemon=True
        )

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not heartbeat(self.claim):
                    self.lost = True
                    return
        except Exception:  # a heartbeat that fails only shortens the lease; grading goes on
            logger.exception("heartbeat for submission %s failed", self.claim.submission_id)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def grade_claimed(claim: Claim) -> str:
    """Grade a submission this worker has claimed and store the verdict. Returns what happened."""
    from grading.grader import grade_source
    from grading.sandbox.client import SandboxUnavailable

    submission = Submission.objects.only("exercise_slug", "source").get(pk=claim.submission_id)
    with Heartbeat(claim, interval=max(lease_seconds() / 3, 0.2)):
        try:
            verdict = grade_source(submission.exercise_slug, submission.source, sandbox=get_sandbox())
        except SandboxUnavailable as exc:
            # Fail closed: no verdict without isolation. Give the submission back for another worker
            # (or for this one once its sandbox is back) and make the task fail loudly.
            close_sandbox()
            release_submission(claim)
            logger.error("cannot grade submission %s: %s", claim.submission_id, exc)
            raise
        except Exception as exc:
            logger.exception("grading submission %s failed", claim.submission_id)
            fail_submission(claim, f"The grader failed on this submission ({type(exc).__name__}).")
            return "grader-error"
    if not finish_submission(claim, verdict.to_dict()):
        return "claim-lost"
    notify_graded(claim.submission_id)
    return "graded"


def notify_graded(submission_id: int) -> None:
    """Announce the verdict just stored (`grading.events.submission_graded`, after commit).

    Listeners (progress: mastery, streaks, achievements) are idempotent, so a retry can never
    double-count; one that fails is logged and does not touch the verdict.
    """
    events.send_on_commit(events.submission_graded, submission_id=submission_id)


@task(queue_name="grading")
def grade_submission(submission_id: int) -> str:
    """Claim and grade one submission; a duplicate or late task finds nothing to claim and returns."""
    claim = claim_submission(submission_id, worker_id=worker_id())
    if claim is None:
        return "not-claimed"
    return grade_claimed(claim)
