"""What courses does when quizzes and grading announce something (connected in `CoursesConfig.ready`)."""

from __future__ import annotations

from typing import Any

from courses.services.access import courses_assigning, exercises_assigned_to, taught_work_q
from courses.services.item_aggregates import rebuild_after_regrade, record_finished_attempt
from grading import access as grading_access
from quizzes import events as quiz_events
from quizzes.models import Attempt


def on_attempt_scored(sender: object, *, attempt: Attempt, **_: Any) -> None:
    """Add the attempt to the item statistics' running sums, in the transaction that finishes it."""
    record_finished_attempt(attempt)


def connect() -> None:
    quiz_events.attempt_scored.connect(on_attempt_scored, dispatch_uid="courses.item_sums")
    quiz_events.attempts_regraded.connect(rebuild_after_regrade, dispatch_uid="courses.rebuild_after_regrade")
    grading_access.register_rules(
        grading_access.Rules(
            # Instructors see their students' code for the exercises their courses assign, since joining.
            visible_work=taught_work_q,
            # Students reach the instructor-written exercises their courses assign.
            assigned_exercises=exercises_assigned_to,
            # An instructor's exercise that a course assigns is not deleted from under it.
            assigning_courses=courses_assigning,
        )
    )
