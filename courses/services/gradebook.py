"""The gradebook of a course: per enrolled student and assignment, best and latest score, how many
attempts, when the work was first completed and whether that was late.

What counts:
- quiz: finished attempts only (an attempt in progress has no score yet); the score is the
  attempt's score after the extra-attempt penalty; "completed" is the first finished attempt;
- code exercise: graded submissions only (a submission the grader could not grade is not the
  student's attempt); "completed" is the submission time of the first passing submission.
  Submission time, not grading time: a slow grading queue must not make anyone late.
- late: completed after the due date. Work done before the assignment opened still counts: the
  quizzes and exercises are open to everyone, and practising early is not something to punish.

Scores are aggregated in SQL per (student, assignment target), so the cost grows with the number
of students and assignments, not with the number of attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery

from courses.models import Assignment, Course, Enrollment
from grading.models import Submission
from quizzes.models import Attempt, AttemptStatus


@dataclass(frozen=True)
class GradeCell:
    best: float | None = None
    latest: float | None = None
    attempts: int = 0
    completed_at: datetime | None = None
    late: bool = False


@dataclass(frozen=True)
class GradebookRow:
    student_id: int
    username: str
    joined_at: datetime
    cells: list[GradeCell]


@dataclass(frozen=True)
class Gradebook:
    course: Course
    assignments: list[Assignment]
    rows: list[GradebookRow]


def _quiz_results(course: Course, quiz_ids: set[int]) -> dict[tuple[int, int | None], Any]:
    """(student id, quiz id) -> aggregates over that student's finished attempts."""
    if not quiz_ids:
        return {}
    finished = Attempt.objects.filter(status=AttemptStatus.FINISHED)
    latest_score = (
        finished.filter(student_id=OuterRef("student_id"), quiz_id=OuterRef("quiz_id"))
        .order_by("-number")
        .values("score")[:1]
    )
    groups = (
        finished.filter(quiz_id__in=quiz_ids, student__enrollments__course=course)
        .values("student_id", "quiz_id")
        .annotate(best=Max("score"), attempts=Count("id"), completed_at=Min("finished_at"))
        .annotate(latest=Subquery(latest_score))
        .order_by()
    )
    return {(row["student_id"], row["quiz_id"]): row for row in groups}


def _exercise_results(course: Course, slugs: set[str]) -> dict[tuple[int, str], Any]:
    """(student id, exercise slug) -> aggregates over that student's graded submissions."""
    if not slugs:
        return {}
    graded = Submission.objects.filter(status=Submission.Status.GRADED)
    latest_score = (
        graded.filter(student_id=OuterRef("student_id"), exercise_slug=OuterRef("exercise_slug"))
        .order_by("-created_at", "-id")
        .values("score")[:1]
    )
    groups = (
        graded.filter(exercise_slug__in=slugs, student__enrollments__course=course)
        .values("student_id", "exercise_slug")
        .annotate(
            best=Max("score"),
            attempts=Count("id"),
            completed_at=Min("created_at", filter=Q(passed=True)),
        )
        .annotate(latest=Subquery(latest_score))
        .order_by()
    )
    return {(row["student_id"], row["exercise_slug"]): row for row in groups}


def _cell(result: dict | None, assignment: Assignment) -> GradeCell:
    if result is None:
        return GradeCell()
    completed_at = result["completed_at"]
    return GradeCell(
        best=result["best"],
        latest=result["latest"],
        attempts=result["attempts"],
        completed_at=completed_at,
        late=completed_at is not None and completed_at > assignment.due_at,
    )


def course_gradebook(*, course: Course) -> Gradebook:
    assignments = list(course.assignments.select_related("quiz").order_by("due_at", "id"))
    quizzes = _quiz_results(course, {a.quiz_id for a in assignments if a.is_quiz and a.quiz_id is not None})
    exercises = _exercise_results(course, {a.exercise_slug for a in assignments if not a.is_quiz})
    enrollments = (
        Enrollment.objects.filter(course=course).select_related("student").order_by("student__username")
    )
    rows = []
    for enrollment in enrollments:
        student_id = enrollment.student_id
        cells = [
            _cell(
                quizzes.get((student_id, a.quiz_id))
                if a.is_quiz
                else exercises.get((student_id, a.exercise_slug)),
                a,
            )
            for a in assignments
        ]
        rows.append(GradebookRow(student_id, enrollment.student.username, enrollment.joined_at, cells))
    return Gradebook(course=course, assignments=assignments, rows=rows)
