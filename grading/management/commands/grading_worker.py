"""`manage.py grading_worker`: a grading worker that refuses to run without a sandbox.

It starts and self-tests the sandbox before taking any job, exits non-zero (with the reason) when
isolation is unavailable, rides out database restarts, re-queues submissions abandoned by workers
that died, and on SIGTERM finishes its current job (within --grace seconds) before exiting.
Run as many as you like, on any number of hosts sharing the database.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from grading.worker import DEFAULT_GRACE_SECONDS, WorkerRefused, run_worker

WORKER_OPTIONS = ("interval", "lease", "grace", "max_tasks", "batch", "worker_id")


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Run a grading worker (sandbox self-test first; fails closed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=positive_float, default=0.2, help="Seconds between polls of an empty queue."
        )
        parser.add_argument(
            "--lease-seconds",
            dest="lease",
            type=positive_float,
            default=None,
            help="How long a claim lives without a heartbeat (default: settings.GRADING_LEASE_SECONDS or 30).",
        )
        parser.add_argument(
            "--grace",
            type=positive_float,
            default=DEFAULT_GRACE_SECONDS,
            help="On SIGTERM, how long the current job may still run before it is given back.",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many jobs.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--worker-id", default=None, help="Identity of this worker (default host:pid).")

    def handle(self, *, verbosity: int, **options) -> None:
        self._configure_logging(verbosity)
        try:
            # The options above are named as run_worker's keyword arguments (--lease-seconds is `lease`).
            run_worker(**{name: options[name] for name in WORKER_OPTIONS})
        except WorkerRefused as exc:
            logging.getLogger("grading.worker").critical("%s", exc)
            raise CommandError(str(exc), returncode=3) from None

    def _configure_logging(self, verbosity: int) -> None:
        # The site's root handler prints the records; the worker only makes its own loggers chattier.
        level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
        logging.getLogger("grading").setLevel(level)
