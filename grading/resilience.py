"""Riding out a database that restarts, drops the connection or is briefly locked.

Workers call `is_transient` on an exception from the database: if true they close the connection
(Django opens a new one on next use), wait with `Backoff` and carry on. Anything else is a bug and
is allowed to end the process (its supervisor restarts it).
"""

import logging
import random
import threading
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger("grading.worker")

# OperationalError: the server went away, refused the connection, "database is locked" (SQLite),
# "terminating connection due to administrator command"; InterfaceError: "the connection is closed".
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)


def drop_connection() -> None:
    """Forget this thread's database connection, whatever state it is in."""
    try:
        connection.close()
    except Exception:  # closing a broken connection may itself fail; it is gone either way
        pass


class Backoff:
    """Capped exponential delays with jitter: 0.1 s, 0.2 s, 0.4 s … up to `cap`, reset on success."""

    def __init__(self, *, base: float = 0.1, cap: float = 5.0):
        self.base = base
        self.cap = cap
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * 2**self.failures)
        self.failures += 1
        # Jitter: many workers that lost the same server do not all come back at the same instant.
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


def retry_transient(
    action: Callable[[], object],
    *,
    what: str,
    stop: threading.Event | None = None,
    backoff: Backoff | None = None,
):
    """Run `action`, retrying it after transient database errors until it succeeds.

    Gives up (re-raising the last error) once `stop` is set.
    """
    backoff = backoff or Backoff()
    while True:
        try:
            return action()
        except TRANSIENT_ERRORS as error:
            drop_connection()
            if stop is not None and stop.is_set():
                raise
            delay = backoff.next_delay()
            logger.warning("%s: database unavailable (%s); retrying in %.1f s", what, describe(error), delay)
            if stop is not None:
                stop.wait(delay)
            else:
                threading.Event().wait(delay)


def describe(error: BaseException) -> str:
    """One short line for the log: a lost server's messages run over several lines."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]
