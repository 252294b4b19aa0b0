"""Large bank imports run beside the request, with a progress record the page polls.

A file up to `BANK_IMPORT_BACKGROUND_BYTES` (default 512 KB, a few hundred questions, well under a
second) is previewed and imported within the request, as before. A larger one (up to the 5 MB limit:
seconds of reading and checking, and thousands of rows to write) is handed to a job: the upload (or
the confirm button) answers at once with a redirect to the job's page, which refreshes itself every
second (a `<meta http-equiv="refresh">`, no JavaScript needed) and shows the stage, a progress bar
("Checking the questions: 1,200 of 5,003") and, once the job ends, the same preview or report as a
small file.

How a job runs:
- on a thread of the web process (`_Job.run`): the same services as a small file
  (`bank_import_preview`, `bank_import`), so the checks, the limits and the all-or-nothing write
  (one transaction) are unchanged; at most `BANK_IMPORT_JOBS` jobs run at once per process, the
  others wait their turn ("Waiting for another import to finish");
- the job's state lives in the shared cache under a key bound to the instructor (another user's
  request cannot read it) for as long as a preview waits for its confirmation (an hour);
- the worker thread only counts; a page served by the same process reads the count from memory, and
  a second thread publishes it to the cache every half second on its own database connection for
  the other processes, so the progress of the write is visible while its transaction is open (with
  the database cache on SQLite, where a write locks the whole file, other processes see the count
  pause until the write commits);
- a job whose record has not been refreshed for `STALE_SECONDS` (the process stopped: a deploy, a
  crash) is shown as interrupted: the transaction of an interrupted write was rolled back, so nothing
  was imported, and the instructor uploads the file again.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, connection

from quizzes.services.access import EDIT, banks_for_user
from quizzes.services.banks import ImportPreview, ImportReport, bank_import, bank_import_preview
from quizzes.services.import_confirm import PREVIEW_SECONDS, stash_import

log = logging.getLogger(__name__)

BACKGROUND_BYTES = 512 * 1024
JOBS_PER_PROCESS = 2
PUBLISH_SECONDS = 0.5
HEARTBEAT_SECONDS = 5
STALE_SECONDS = 60
PREVIEW, IMPORT = "preview", "import"


class JobStatus(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


WAITING, RUNNING, DONE, FAILED, INTERRUPTED = JobStatus
PAYLOAD_FIELDS = ("text", "fmt", "filename", "bank_slug", "replace")

_slots = threading.BoundedSemaphore(getattr(settings, "BANK_IMPORT_JOBS", JOBS_PER_PROCESS))
# The jobs running in this process, so that a page served here reads them without the cache.
_live: dict[tuple[int, str], _Job] = {}
_live_lock = threading.Lock()


def background_bytes() -> int:
    return int(getattr(settings, "BANK_IMPORT_BACKGROUND_BYTES", BACKGROUND_BYTES))


def runs_in_background(text: str) -> bool:
    """Whether a file this long is imported by a job rather than within the request."""
    return len(text.encode("utf-8")) > background_bytes()


@dataclass
class JobState:
    """What the job's page shows."""

    id: str
    step: str  # PREVIEW or IMPORT
    filename: str
    state: JobStatus = WAITING
    stage: str = "Waiting for another import to finish"
    done: int = 0
    total: int = 0
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    report: ImportReport | None = None
    preview: ImportPreview | None = None
    confirm: str = ""  # the token of the previewed file, for the confirm button
    replace: bool = True

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED, INTERRUPTED)

    @property
    def percent(self) -> int | None:
        return min(100, round(100 * self.done / self.total)) if self.total else None

    @property
    def count(self) -> str:
        return f"{self.done:,} of {self.total:,}"

    @property
    def seconds(self) -> int:
        return int((self.updated_at if self.finished else time.time()) - self.started_at)


def _key(user_id: int, job_id: str) -> str:
    return f"bank-import-job:{user_id}:{job_id}"


def job_state(*, user_id: int, job_id: str) -> JobState | None:
    """The job's state for its instructor; None when unknown, another user's or expired. A job
    whose record stopped moving is reported as interrupted."""
    if not isinstance(job_id, str) or not 16 <= len(job_id) <= 64:
        return None
    with _live_lock:
        live = _live.get((user_id, job_id))
    if live is not None:  # running in this process: its exact state, alive by definition
        return live.snapshot()
    state = cache.get(_key(user_id, job_id))
    if not isinstance(state, JobState):
        return None
    if not state.finished and time.time() - state.updated_at > STALE_SECONDS:
        return replace(state, state=INTERRUPTED)
    return state


def start_preview(*, user, payload: dict[str, Any]) -> str:
    """Read and check the file on a job; its page then shows the preview (or the problems)."""
    return _start(user, PREVIEW, payload)


def start_import(*, user, payload: dict[str, Any]) -> str:
    """Import the previewed file on a job; its page then shows the report."""
    return _start(user, IMPORT, payload)


def _start(user, step: str, payload: dict[str, Any]) -> str:
    job = _Job(user.pk, step, {name: payload[name] for name in PAYLOAD_FIELDS})
    job.publish()
    with _live_lock:
        _live[(job.user_id, job.state.id)] = job
    threading.Thread(target=job.run, name=f"bank-import-{step}", daemon=True).start()
    return job.state.id


class _Job:
    def __init__(self, user_id: int, step: str, payload: dict[str, Any]) -> None:
        self.user_id, self.payload = user_id, payload
        self.state = JobState(
            id=secrets.token_urlsafe(24),
            step=step,
            filename=payload.get("filename") or "the pasted text",
            replace=bool(payload["replace"]),
        )
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._ended = threading.Event()

    def progress(self, stage: str, done: int, total: int) -> None:
        """Called by the services for each stage and question: only counts (no database here)."""
        with self._lock:
            self.state.state, self.state.stage, self.state.done, self.state.total = (
                RUNNING,
                stage,
                done,
                total,
            )
        self._changed.set()

    def snapshot(self) -> JobState:
        with self._lock:
            self.state.updated_at = time.time()
            return replace(self.state)

    def publish(self) -> None:
        snapshot = self.snapshot()
        cache.set(_key(self.user_id, snapshot.id), snapshot, PREVIEW_SECONDS)

    def run(self) -> None:
        publisher = threading.Thread(
            target=self._publish_until_ended, name="bank-import-progress", daemon=True
        )
        publisher.start()
        try:
            with _slots:
                self.progress("Starting", 0, 0)
                self._outcome()
        except Exception:  # logged; the page says so and nothing was written (one transaction)
            log.exception("Bank import job %s failed", self.state.id)
            with self._lock:
                self.state.state = FAILED
        finally:
            self._ended.set()
            publisher.join()
            self._publish_final()
            with _live_lock:
                _live.pop((self.user_id, self.state.id), None)
            connection.close()  # this thread's own connection

    def _outcome(self) -> None:
        user = get_user_model().objects.get(pk=self.user_id)
        editable = banks_for_user(user, to=EDIT)

        def may_write(bank) -> bool:
            return editable.filter(pk=bank.pk).exists()

        if self.state.step == PREVIEW:
            report, preview = bank_import_preview(**self.payload, may_write=may_write, progress=self.progress)
            confirm = stash_import(user_id=self.user_id, payload=self.payload) if preview is not None else ""
            with self._lock:
                self.state.report = None if preview is not None else report
                self.state.preview, self.state.confirm = preview, confirm
        else:
            report = bank_import(**self.payload, owner=user, may_write=may_write, progress=self.progress)
            with self._lock:
                self.state.report = report
        with self._lock:
            self.state.state = DONE

    def _publish_until_ended(self) -> None:
        """Every half second the count so far, if it moved (at least every few seconds, which tells the
        page the job is alive), on this thread's own connection."""
        last = time.monotonic()
        try:
            while not self._ended.wait(PUBLISH_SECONDS):
                if self._changed.is_set() or time.monotonic() - last > HEARTBEAT_SECONDS:
                    self._changed.clear()
                    try:
                        self.publish()
                        last = time.monotonic()
                    except DatabaseError:  # the database cache is busy (SQLite during the write)
                        close_old_connections()
        finally:
            connection.close()

    def _publish_final(self) -> None:
        for attempt in range(5):  # the outcome must reach the page; a busy cache is tried again
            try:
                self.publish()
                return
            except DatabaseError:
                time.sleep(0.2 * (attempt + 1))
        log.error("Bank import job %s: its outcome could not be recorded", self.state.id)
