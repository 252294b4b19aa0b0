"""The LMS gradebook listens to quizzes, grading and courses: a finished attempt, a stored verdict or a
change of the course's grading (an override, an extension, a new due date or late penalty) queues
the score that counts under the course's policy (`courses.services.gradebook.student_outcome`) for
every LMS activity that opens the assignment (connected in `LtiConfig.ready`), marked "PendingManual"
while an essay of the student's attempts waits for a person's grade."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from courses.models import Assignment, AssignmentKind
from courses.services.gradebook import student_outcome
from grading import api as grading_api
from lti.models import ResourceLink, ScoreSync
from lti.services.scores import record_score


def _linked_assignments(**assignment_filter: Any) -> list[Assignment]:
    links = ResourceLink.objects.exclude(lineitem_url="").filter(
        **{f"assignment__{k}": v for k, v in assignment_filter.items()}
    )
    ids = set(links.values_list("assignment_id", flat=True))
    return list(Assignment.objects.filter(pk__in=ids).select_related("quiz").order_by("pk"))


def _send_policy_scores(assignments: Iterable[Assignment], student_ids: Iterable[int]) -> None:
    """Queue each student's score that counts on each assignment; without work nor override, an
    empty score marked as not yet graded; with essays still to grade, the provisional score marked
    as waiting for manual grading."""
    students = get_user_model().objects.filter(pk__in=set(student_ids), lti_accounts__isnull=False).distinct()
    for assignment in assignments:
        for student in students:
            outcome = student_outcome(assignment=assignment, student_id=student.pk)
            record_score(
                user=student,
                assignment_id=assignment.pk,
                score=outcome.final or 0.0,
                completed=outcome.final is not None,
                awaiting_manual=outcome.provisional,
            )


def on_attempt_finished(
    sender: Any, *, attempt_id: int, student_id: int, quiz_id: int, **kwargs: Any
) -> None:
    """The course's score for the quiz (its best or last attempt, late penalty, override) goes to each
    linked activity; also after an essay of a finished attempt is graded (`attempt_graded`, same
    payload)."""
    _send_policy_scores(_linked_assignments(kind=AssignmentKind.QUIZ, quiz_id=quiz_id), [student_id])


def on_submission_graded(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    """The course's score for the exercise (the best submission, late penalty, override) goes to each
    linked activity."""
    submission = grading_api.graded_submission(submission_id)
    assignments = _linked_assignments(kind=AssignmentKind.EXERCISE, exercise_slug=submission.exercise_slug)
    _send_policy_scores(assignments, [submission.student_id])


def on_grades_changed(
    sender: Any, *, assignment_id: int, student_ids: list[int] | None, **kwargs: Any
) -> None:
    """The course staff changed what counts: resend the named students' scores, or, for a change to the
    whole assignment, the scores of every student the LMS already has one for."""
    assignments = _linked_assignments(pk=assignment_id)
    if not assignments:
        return
    if student_ids is None:
        student_ids = list(
            ScoreSync.objects.filter(link__assignment_id=assignment_id).values_list(
                "account__user_id", flat=True
            )
        )
    _send_policy_scores(assignments, student_ids)
