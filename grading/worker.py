"""A grading worker process (`manage.py grading_worker`): sandbox first, then the claim loop.

1. Start this process's sandbox, which runs its isolation self-test. If that fails the worker
   refuses to run at all (fail closed): it records the reason in its worker row, logs it and
   exits without taking a single job, so a misconfigured host can never grade without isolation.
2. Loop: claim the next job: a submission in fair order (grading.services.queue.claim_next) or,
   when the rules of grading.services.queue_authoring allow, an author's validation or preview;
   run it and store its result; between jobs, refresh this worker's row, put the submissions of dead
   workers back in the queue, prune the rows of workers long dead, and announce a tick
   (grading.events.worker_tick) for the periodic chores of higher apps.
3. A transient database error (a restart, a lost connection, "database is locked") never ends
   the loop: the connection is dropped and the worker waits (capped exponential backoff) and
   carries on. Anything else ends the process, and its supervisor starts a new one.
4. SIGTERM or SIGINT: the worker finishes the submission in hand and exits. If that takes longer
   than the grace period, it kills its sandbox, gives the submission back to the queue and exits.
"""

import logging
import os
import signal
import socket
import threading
import time

from django.utils import timezone

from grading import events, tasks
from grading.resilience import TRANSIENT_ERRORS, Backoff, describe, drop_connection
from grading.sandbox.client import SandboxUnavailable
from grading.services import challenge_baselines
from grading.services.queue import claim_next, lease_seconds, requeue_stale, set_lease_seconds
from grading.services.queue_authoring import JobClaim, claim_next_job, requeue_stale_jobs
from grading.services.workers import (
    beat_interval,
    prune_dead_workers,
    worker_beat,
    worker_register,
    worker_unregister,
)

logger = logging.getLogger("grading.worker")

DEFAULT_GRACE_SECONDS = 10.0
PRUNE_EVERY_SECONDS = 60.0


class WorkerRefused(Exception):
    """The worker must not take jobs; the message says why."""


class GradingWorker:
    def __init__(
        self,
        *,
        interval: float = 0.2,
        max_tasks: int | None = None,
        batch: bool = False,
        worker_id: str | None = None,
        grace: float = DEFAULT_GRACE_SECONDS,
        backoff_cap: float = 5.0,
    ):
        self.interval = interval
        self.max_tasks = max_tasks
        self.batch = batch
        self.worker_id = worker_id or tasks.worker_id()
        self.grace = grace
        self.stop = threading.Event()
        self.backoff = Backoff(cap=backoff_cap)
        self.started_at = timezone.now()
        self.sandbox_ok = False
        self.sandbox_detail = ""
        self.current: int | None = None
        self.busy = False
        self.graded = 0
        self._registered = False
        self._due: dict[str, float] = {}
        self._grace_timer: threading.Timer | None = None

    # -- start-up ---------------------------------------------------------------------------------

    def start_sandbox(self) -> None:
        try:
            sandbox = tasks.get_sandbox()
        except SandboxUnavailable as exc:
            self.sandbox_detail = str(exc)
            self._record_refusal()
            raise WorkerRefused(f"grading worker refuses to start: {exc}") from None
        self.sandbox_ok = True
        self.sandbox_detail = sandbox.isolation or "no kernel isolation"
        logger.info("sandbox ready (%s)", self.sandbox_detail)

    def warm_challenge_baselines(self) -> None:
        # Off the request path: pages then read the baselines' runs instead of computing them.
        try:
            if challenge_baselines.warm():
                logger.info("challenge baselines computed and stored")
        except Exception as error:  # pages fall back to computing them; grading goes on
            logger.warning("could not store the challenge baselines: %s", describe(error))
            drop_connection()

    def _record_refusal(self) -> None:
        # Best effort: operators see the refusal in /readyz; the exit status says it anyway.
        try:
            self._register()
        except Exception as error:
            logger.warning("could not record the refusal: %s", describe(error))
            drop_connection()

    def _register(self) -> None:
        worker_register(
            worker_id=self.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            sandbox_ok=self.sandbox_ok,
            sandbox_detail=self.sandbox_detail,
            started_at=self.started_at,
        )
        self._registered = True

    def _install_signal_handlers(self) -> dict:
        return {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}

    def _on_signal(self, signum, frame) -> None:
        if self.stop.is_set():
            return
        logger.warning("%s received: finishing the current job, then exiting", signal.Signals(signum).name)
        self.stop.set()
        if self.busy:
            self._grace_timer = threading.Timer(self.grace, self._grace_expired)
            self._grace_timer.daemon = True
            self._grace_timer.start()

    def _grace_expired(self) -> None:
        # The job outlived the grace period: end its run; grade_claimed then gives it back.
        logger.warning("grace period of %.0f s over: abandoning the job in hand", self.grace)
        tasks.abort_sandbox()

    # -- the loop ---------------------------------------------------------------------------------

    def run(self, *, handle_signals: bool = False) -> None:
        """Take jobs until stopped; with `handle_signals`, SIGTERM and SIGINT stop it gracefully."""
        self.start_sandbox()
        self.warm_challenge_baselines()
        previous = self._install_signal_handlers() if handle_signals else {}
        try:
            while not self.stop.is_set():
                if self.max_tasks is not None and self.graded >= self.max_tasks:
                    break
                try:
                    self._housekeeping()
                    # An author's job when the rules of queue_authoring allow one now, else a submission.
                    claim = claim_next_job(worker_id=self.worker_id) or claim_next(worker_id=self.worker_id)
                except TRANSIENT_ERRORS as error:
                    self._wait_for_database(error)
                    continue
                self.backoff.reset()
                if claim is None:
                    if self.batch:
                        break
                    self.stop.wait(self.interval)
                    continue
                self._grade(claim)
        finally:
            if self._grace_timer is not None:
                self._grace_timer.cancel()
            self._leave()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _grade(self, claim) -> None:
        # The worker row names the submission in hand (an author's job leaves it empty).
        self.current = getattr(claim, "submission_id", None)
        self.busy = True
        try:
            self._beat(force=True)
        except TRANSIENT_ERRORS:
            drop_connection()  # the row is only for operators; grading goes on
        try:
            if isinstance(claim, JobClaim):
                outcome = tasks.run_authoring_job(claim, stop=self.stop)
            else:
                outcome = tasks.grade_claimed(claim, stop=self.stop)
        except SandboxUnavailable as exc:
            if self.stop.is_set():
                return  # the grace period ran out and ended the run: the submission was given back
            # The sandbox died or broke: restart it (with its self-test) before taking another job.
            logger.error("sandbox lost (%s); restarting it", exc)
            self.sandbox_ok = False
            self.start_sandbox()
            return
        except TRANSIENT_ERRORS as error:
            # Told to stop while the database was away: the claim cannot be given back, so its
            # lease expires and another worker grades the submission.
            logger.warning("submission %s left to its lease: %s", claim.submission_id, describe(error))
            drop_connection()
            return
        finally:
            self.current = None
            self.busy = False
        self.graded += 1
        logger.debug("%s: %s", claim, outcome)

    def _wait_for_database(self, error: BaseException) -> None:
        drop_connection()
        delay = self.backoff.next_delay()
        logger.warning("database unavailable (%s); retrying in %.1f s", describe(error), delay)
        self.stop.wait(delay)

    def _every(self, name: str, seconds: float) -> bool:
        now = time.monotonic()
        if now < self._due.get(name, 0.0):
            return False
        self._due[name] = now + seconds
        return True

    def _beat(self, *, force: bool = False) -> None:
        if not self._registered:
            self._register()
        if (force or self._every("beat", beat_interval())) and not worker_beat(
            self.worker_id, current_submission_id=self.current, stopping=self.stop.is_set()
        ):
            self._register()  # pruned while the database was away, say

    def _housekeeping(self) -> None:
        self._beat()
        if self._every("requeue", lease_seconds() / 2):
            requeued = requeue_stale()
            if requeued:
                logger.warning("re-queued abandoned submissions %s", requeued)
            jobs = requeue_stale_jobs()
            if jobs:
                logger.warning("re-queued abandoned authoring jobs %s", jobs)
        if self._every("prune", PRUNE_EVERY_SECONDS):
            prune_dead_workers()
        if self._every("tick", events.TICK_SECONDS):
            events.send_now(events.worker_tick, worker_id=self.worker_id)

    def _leave(self) -> None:
        if not self._registered:
            return
        try:
            worker_unregister(self.worker_id)
        except Exception as error:  # the row goes stale and is pruned by the others
            logger.warning("could not remove this worker's row: %s", describe(error))
            drop_connection()


def run_worker(
    *,
    interval: float = 0.2,
    lease: float | None = None,
    max_tasks: int | None = None,
    batch: bool = False,
    worker_id: str | None = None,
    grace: float = DEFAULT_GRACE_SECONDS,
    handle_signals: bool = True,
) -> GradingWorker:
    """Run a grading worker in this process until it is stopped (raises WorkerRefused first if unsafe)."""
    set_lease_seconds(lease)
    worker = GradingWorker(
        interval=interval, max_tasks=max_tasks, batch=batch, worker_id=worker_id, grace=grace
    )
    try:
        worker.run(handle_signals=handle_signals)
    finally:
        tasks.close_sandbox()
    return worker
