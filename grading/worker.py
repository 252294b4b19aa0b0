"""Start-up of a grading worker: the sandbox first, then the task loop (used by `manage.py grading_worker`).

1. Start this process's sandbox, which runs its isolation self-test. If that fails the worker
   refuses to run at all (fail closed): it logs the reason and exits without taking a single job,
   so a misconfigured host can never grade submissions without isolation.
2. Re-queue submissions abandoned by dead workers, then keep doing so from a background thread
   (every half lease), because the task queue never retries the task of a killed worker.
3. Run django_tasks_db's worker loop on the `grading` queue.
"""

import logging
import threading

from django.db import connection

from grading import tasks
from grading.services.queue import lease_seconds, requeue_stale, set_lease_seconds

logger = logging.getLogger("grading.worker")

GRADING_QUEUE = "grading"


class WorkerRefused(Exception):
    """The worker must not take jobs; the message says why."""


def start_sandbox() -> None:
    from grading.sandbox.client import SandboxUnavailable

    try:
        sandbox = tasks.get_sandbox()
    except SandboxUnavailable as exc:
        raise WorkerRefused(f"grading worker refuses to start: {exc}") from None
    logger.info("sandbox ready (%s)", sandbox.isolation or "no kernel isolation")


class StaleSweeper:
    """Re-queues abandoned submissions every `interval` seconds until stopped."""

    def __init__(self, interval: float):
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grading-sweeper", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                requeued = requeue_stale()
                if requeued:
                    logger.warning("re-queued abandoned submissions %s", requeued)
            except Exception:  # keep sweeping: a locked or restarting database is transient
                logger.exception("sweep for abandoned submissions failed")
            finally:
                connection.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()


def run_worker(
    *,
    interval: float = 0.2,
    lease: float | None = None,
    max_tasks: int | None = None,
    batch: bool = False,
    worker_id: str | None = None,
) -> None:
    """Run a grading worker in this process until it is stopped (raises WorkerRefused first if unsafe)."""
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
    from django_tasks_db.management.commands.db_worker import Worker

    set_lease_seconds(lease)
    start_sandbox()
    requeued = requeue_stale()
    if requeued:
        logger.warning("re-queued abandoned submissions %s", requeued)
    connection.close()
    sweeper = StaleSweeper(interval=lease_seconds() / 2)
    sweeper.start()
    worker = Worker(
        queue_names=[GRADING_QUEUE],
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id or tasks.worker_id(),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        sweeper.stop()
        tasks.close_sandbox()
