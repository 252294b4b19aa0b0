"""What the quizzes app announces. Higher apps (courses, progress) connect receivers in their
`AppConfig.ready()`; quizzes never imports them and never learns who listens.

Every signal is sent with `sender=QUIZZES` and keyword arguments only (the payload below). Except
where it says otherwise, a signal is sent once the transaction that made the change has committed,
and each receiver runs on its own: one that raises is logged and neither undoes the change nor keeps
the other receivers from hearing about it.

`attempt_scored(attempt)`: *inside* the transaction that finishes an attempt, with its row locked
    and its scores final (`attempt` is the `quizzes.models.Attempt`). A receiver's writes commit or
    roll back together with the finish, and an exception aborts the finish. Listener: courses
    (running sums behind the item statistics).
`attempt_finished(attempt_id, student_id, quiz_id)`: after the finish commits. Listener: progress
    (mastery, streaks, XP, achievements).
`answer_checked(attempt_item_id, attempt_id, student_id, score)`: after a checked answer is
    stored as the item's final answer (an "invalid" response is not stored and not announced).
    No listener yet.
`item_edited(item_id, bank_id, created)`: after an item is saved from the authoring pages.
    No listener yet.
`attempts_regraded(quiz_students)`: after an explicit regrade, or a hand-graded answer's grade,
    commits; `quiz_students` is a set of (quiz id, student id) whose finished attempts changed score.
    Listener: courses (rebuilds the running sums of those students).
`attempt_graded(attempt_id, student_id, quiz_id)`: after a person's grade for an answer (an essay)
    commits and the finished attempt's score changed with it (`services.manual_grading`). Listener:
    lti (sends the quiz grade again).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("quizzes.events")

QUIZZES = "quizzes"  # the sender of every signal here

attempt_scored = Signal()
attempt_finished = Signal()
answer_checked = Signal()
item_edited = Signal()
attempts_regraded = Signal()
attempt_graded = Signal()


def send_now(signal: Signal, **payload: Any) -> None:
    """Send in the current transaction; a receiver's exception propagates (and rolls it back)."""
    signal.send(sender=QUIZZES, **payload)


def send_on_commit(signal: Signal, **payload: Any) -> None:
    """Send once the current transaction commits (at once outside one); receivers fail alone."""

    def send() -> None:
        for receiver, outcome in signal.send_robust(sender=QUIZZES, **payload):
            if isinstance(outcome, Exception):
                logger.error("%r failed on a quizzes event %s", receiver, payload, exc_info=outcome)

    transaction.on_commit(send)
