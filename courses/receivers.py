"""What courses does when quizzes and grading announce something (connected in `CoursesConfig.ready`)."""

from __future__ import annotations

from typing import Any

from courses.services.access import taught_students
from courses.services.item_aggregates import record_finished_attempt
from grading import access as grading_access
from quizzes import events as quiz_events
from quizzes.models import Attempt


def on_attempt_scored(sender: object, *, attempt: Attempt, **_: Any) -> None:
    """Add the attempt to the item statistics' running sums, in the transaction that finishes it."""
    record_finished_attempt(attempt)


def connect() -> None:
    quiz_events.attempt_scored.connect(on_attempt_scored, dispatch_uid="courses.item_sums")
    # Instructors see the code of the students enrolled in the courses they own.
    grading_access.register_taught_students(taught_students)
