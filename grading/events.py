"""What the grading app announces. Higher apps (progress) connect receivers in their
`AppConfig.ready()`; grading never imports them and never learns who listens.

Every signal is sent with `sender=GRADING` and keyword arguments only (the payload below), once the
transaction that stored the change has committed (at once when there is none, as in a worker).
Each receiver runs on its own: one that raises is logged and never touches the stored verdict, nor
keeps the other receivers from hearing about it.

`submission_graded(submission_id)`: a verdict was stored for a
    submission (status "graded"), exactly once per stored verdict: a duplicate or late task stores
    nothing and announces nothing. Read the outcome through `grading.api.graded_submission`.
    Listener: progress (mastery, streaks, XP, achievements).

`worker_tick(worker_id)`: a grading worker is between jobs (sent at most every `TICK_SECONDS` by
    each worker, at once, outside any transaction). For higher apps' periodic chores that must
    not run in a web request; a receiver must return quickly (start its own thread for slow
    work), since the worker takes no job while it runs. Listener: lti (score passback).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("grading.events")

GRADING = "grading"  # the sender of every signal here

submission_graded = Signal()
worker_tick = Signal()
TICK_SECONDS = 2.0


def send_on_commit(signal: Signal, **payload: Any) -> None:
    """Send once the current transaction commits (at once outside one); receivers fail alone."""
    transaction.on_commit(lambda: _deliver(signal, payload))


def _deliver(signal: Signal, payload: dict[str, Any]) -> None:
    failures = [(r, o) for r, o in signal.send_robust(sender=GRADING, **payload) if isinstance(o, Exception)]
    for receiver, error in failures:
        logger.error("%r failed on a grading event %s", receiver, payload, exc_info=error)


def send_now(signal: Signal, **payload: Any) -> None:
    """Send at once (a worker's own announcements); receivers fail alone, as above."""
    _deliver(signal, payload)
