"""What progress does when quizzes and grading announce something (connected in `ProgressConfig.ready`).

Both events arrive after the change committed; `progress.events` is idempotent, so a repeated
announcement never counts twice.
"""

from __future__ import annotations

from typing import Any

from grading import events as grading_events
from progress import events
from quizzes import events as quiz_events


class _Ref:
    """The record an event names, by primary key (what `progress.events` reads back)."""

    def __init__(self, pk: int) -> None:
        self.pk = pk


def on_attempt_finished(sender: object, *, attempt_id: int, **_: Any) -> None:
    events.quiz_finished(_Ref(attempt_id))


def on_submission_graded(sender: object, *, submission_id: int, **_: Any) -> None:
    events.submission_graded(_Ref(submission_id))


def connect() -> None:
    quiz_events.attempt_finished.connect(on_attempt_finished, dispatch_uid="progress.attempt_finished")
    grading_events.submission_graded.connect(on_submission_graded, dispatch_uid="progress.submission_graded")
