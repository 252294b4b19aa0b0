"""Score passback off the request path: each grading worker, between jobs, has its process send
the due scores on a thread of its own, so neither a student's Finish nor the grading queue ever
waits for an LMS. One run at a time per process; runs in several processes share the work through
the claims in lti.services.scores."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection

from grading.resilience import TRANSIENT_ERRORS, Backoff, describe, drop_connection
from lti.services.scores import push_due_scores

log = logging.getLogger(__name__)

TRIES_PER_RUN = 5  # a briefly locked or restarting database is tried again within the run


class PassbackRunner:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def nudge(self) -> bool:
        """Start a run unless one is still going; True when one was started."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._thread = threading.Thread(target=self._run, name="lti-passback", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        """Until the current run (if any) ends: for tests and for a stopping process."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        backoff = Backoff(cap=2.0)
        try:
            for attempt in range(1, TRIES_PER_RUN + 1):
                try:
                    counts = push_due_scores()
                except TRANSIENT_ERRORS as error:
                    drop_connection()
                    log.warning("LTI score passback: database unavailable (%s)", describe(error))
                    if attempt < TRIES_PER_RUN:
                        threading.Event().wait(backoff.next_delay())
                    continue
                if counts["sent"] or counts["failed"]:
                    log.info("LTI scores sent: %(sent)s, failed: %(failed)s", counts)
                return
        except Exception:  # logged; the scores stay queued for the next run
            log.exception("LTI score passback failed")
        finally:
            connection.close()  # this thread's own connection


runner = PassbackRunner()


def on_worker_tick(sender: Any, **kwargs: Any) -> None:
    """A grading worker is between jobs: send what is due, on the runner's thread."""
    runner.nudge()
