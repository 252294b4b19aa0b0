"""The LMS gradebook listens to quizzes and grading: a finished attempt or a stored verdict queues the
score of every LMS activity that opens it (connected in `LtiConfig.ready`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from courses.models import AssignmentKind
from grading import api as grading_api
from lti.models import ResourceLink
from lti.services.scores import record_score
from quizzes.models import Quiz
from quizzes.services.attempts import quiz_grade_for


def _linked_assignments(**assignment_filter: Any) -> list[int]:
    links = ResourceLink.objects.exclude(lineitem_url="").filter(
        **{f"assignment__{k}": v for k, v in assignment_filter.items()}
    )
    return sorted(set(links.values_list("assignment_id", flat=True)))


def on_attempt_finished(
    sender: Any, *, attempt_id: int, student_id: int, quiz_id: int, **kwargs: Any
) -> None:
    """The quiz's grade under its policy (best or last attempt) goes to each linked activity; also
    after an essay of a finished attempt is graded (`attempt_graded`, same payload)."""
    assignment_ids = _linked_assignments(kind=AssignmentKind.QUIZ, quiz_id=quiz_id)
    if not assignment_ids:
        return
    student = get_user_model().objects.get(pk=student_id)
    grade = quiz_grade_for(quiz=Quiz.objects.get(pk=quiz_id), student=student)
    for assignment_id in assignment_ids:
        record_score(user=student, assignment_id=assignment_id, score=grade or 0.0)


def on_submission_graded(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    """The student's best score on the exercise so far goes to each linked activity."""
    submission = grading_api.graded_submission(submission_id)
    assignment_ids = _linked_assignments(kind=AssignmentKind.EXERCISE, exercise_slug=submission.exercise_slug)
    if not assignment_ids:
        return
    student = get_user_model().objects.get(pk=submission.student_id)
    scores = [
        s.score
        for s in grading_api.graded_submissions_of(student)
        if s.exercise_slug == submission.exercise_slug and s.score is not None
    ]
    for assignment_id in assignment_ids:
        record_score(user=student, assignment_id=assignment_id, score=max(scores, default=0.0))
