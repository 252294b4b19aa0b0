"""The whole-course gradebook reads only the pieces of work that can count (window functions in the
database); one student's pages read every piece. Both must give the same cells."""

import random
from datetime import timedelta

import pytest

from courses.models import AssignmentKind
from courses.services.courses import assignment_create, assignment_update
from courses.services.grade_changes import extension_set
from courses.services.gradebook import course_gradebook, student_outcome
from quizzes.models import GradingPolicy
from tests.courses.conftest import DUE, OPENS, finished_attempt, graded_submission

SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)  # few values, so equal scores (ties) are common


def _facts(cell):
    counted = cell.counted
    return {
        "best": cell.best,
        "latest": cell.latest,
        "attempts": cell.attempts,
        "completed_at": cell.completed_at,
        "late": cell.late,
        "raw": cell.raw,
        "final": cell.final,
        "due_at": cell.outcome.due_at,
        "counted": None if counted is None else (counted.kind, counted.pk, counted.number, counted.passed),
    }


@pytest.mark.parametrize("grading_policy", [GradingPolicy.BEST, GradingPolicy.LAST])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_course_gradebook_agrees_with_each_students_own_reading(
    course, quiz, items, quiz_assignment, make_user, enrol, instructor, grading_policy, seed
):
    rng = random.Random(seed)
    quiz.grading_policy = grading_policy
    quiz.save()
    exercise = assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="momentum", opens_at=OPENS, due_at=DUE
    )
    for assignment in (quiz_assignment, exercise):
        assignment_update(
            assignment=assignment, opens_at=OPENS, due_at=DUE, late_penalty_per_day=15, late_penalty_cap=45
        )
    students = [make_user(f"student-{n}") for n in range(8)]
    for n, student in enumerate(students):
        enrol(student)
        for number in range(1, rng.randint(0, 6) + 1):
            when = DUE + timedelta(hours=rng.randint(-72, 120))
            finished_attempt(quiz, student, number, [(items[0], rng.choice(SCORES))], finished_at=when)
        for _ in range(rng.randint(0, 5)):
            score = rng.choice((*SCORES, None))
            when = DUE + timedelta(hours=rng.randint(-72, 120), seconds=rng.randint(0, 59))
            graded_submission(student, "momentum", passed=score == 1.0, score=score, at=when)
        if n % 3 == 0:  # extensions: some later, one earlier than the due date
            for assignment in (quiz_assignment, exercise):
                new_due = DUE + timedelta(hours=rng.choice((-30, 20, 50)))
                extension_set(assignment=assignment, student_id=student.pk, due_at=new_due, actor=instructor)
    book = course_gradebook(course=course)
    checked = 0
    for row in book.rows:
        for assignment, cell in zip(book.assignments, row.cells, strict=True):
            own = student_outcome(assignment=assignment, student_id=row.student_id)
            assert _facts(cell) == _facts(own), (row.username, assignment.kind)
            checked += cell.attempts > 0
    assert checked >= 8  # most cells had work to compare
