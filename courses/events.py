"""What the courses app announces. Higher apps (lti) connect receivers in their `AppConfig.ready()`;
courses never imports them and never learns who listens.

Every signal is sent with `sender=COURSES` and keyword arguments only, once the transaction that
made the change has committed; each receiver runs on its own (one that raises is logged and undoes
nothing).

`grades_changed(assignment_id, student_ids)`: the score that counts
    (`courses.services.grades.counting_score`) may have changed for these students on this
    assignment, because the course staff set or cleared an override or an extension
    (`student_ids` names them) or changed the assignment's due date, weight or late penalty
    (`student_ids` is None: every student). Listener: lti (sends the new score to the LMS).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("courses.events")

COURSES = "courses"  # the sender of every signal here

grades_changed = Signal()


def announce_grades_changed(*, assignment_id: int, student_ids: Iterable[int] | None) -> None:
    """Send `grades_changed` once the current transaction commits (at once outside one)."""
    payload: dict[str, Any] = {
        "assignment_id": assignment_id,
        "student_ids": None if student_ids is None else sorted(set(student_ids)),
    }

    def send() -> None:
        for receiver, outcome in grades_changed.send_robust(sender=COURSES, **payload):
            if isinstance(outcome, Exception):
                logger.error("%r failed on a courses event %s", receiver, payload, exc_info=outcome)

    transaction.on_commit(send)
