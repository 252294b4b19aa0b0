"""Extensions and overrides: the rules, the audit log, the announcement, and what the gradebook counts."""

from datetime import timedelta

import pytest

from courses.events import grades_changed
from courses.models import AssignmentKind, DueDateExtension, GradeChange, GradeOverride
from courses.services.courses import CourseError, assignment_create, assignment_update
from courses.services.grade_changes import (
    extension_clear,
    extension_set,
    grade_log,
    override_clear,
    override_set,
)
from courses.services.gradebook import counting_score, course_gradebook, student_outcome
from tests.courses.conftest import DUE, OPENS, finished_attempt, graded_submission


@pytest.fixture
def announced():
    """Every grades_changed announcement, as (assignment id, student ids)."""
    heard = []

    def listen(sender, *, assignment_id, student_ids, **kwargs):
        heard.append((assignment_id, student_ids))

    grades_changed.connect(listen, dispatch_uid="test-listener")
    yield heard
    grades_changed.disconnect(dispatch_uid="test-listener")


@pytest.fixture
def late_quiz(quiz_assignment, quiz, items, student, enrol):
    """sam finished the quiz (80%) 1.5 days late; the assignment takes 10% a day, at most 30%."""
    enrol(student)
    assignment_update(
        assignment=quiz_assignment,
        opens_at=quiz_assignment.opens_at,
        due_at=quiz_assignment.due_at,
        late_penalty_per_day=10,
        late_penalty_cap=30,
    )
    finished_attempt(
        quiz, student, 1, [(items[0], 1), (items[1], 0.6)], finished_at=DUE + timedelta(days=1, hours=12)
    )
    return quiz_assignment


def test_late_work_loses_the_assignments_penalty_in_the_gradebook(late_quiz, student):
    (cell,) = course_gradebook(course=late_quiz.course).rows[0].cells
    assert cell.raw == pytest.approx(0.8) and cell.final == pytest.approx(0.8 * 0.8)  # two started days
    assert cell.penalised and cell.late and not cell.overridden
    assert counting_score(assignment=late_quiz, student_id=student.pk) == pytest.approx(0.64)


def test_an_extension_past_the_work_removes_lateness_and_penalty_and_is_logged(
    late_quiz, student, instructor, announced, django_capture_on_commit_callbacks
):
    new_due = DUE + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        extension_set(
            assignment=late_quiz, student_id=student.pk, due_at=new_due, actor=instructor, reason="ill"
        )
    cell = student_outcome(assignment=late_quiz, student_id=student.pk)
    assert cell.final == pytest.approx(0.8) and not cell.late and cell.extended
    assert announced == [(late_quiz.pk, [student.pk])]
    (entry,) = grade_log(course=late_quiz.course)
    assert (entry.kind, entry.actor_name, entry.student_name) == ("extension", "iris", "sam")
    assert (entry.old_value, entry.new_value, entry.reason) == ("none", "2026-03-03 12:00 UTC", "ill")
    assert entry.at is not None and entry.assignment_label == "Momentum check (due 2026-03-01)"

    extension_set(
        assignment=late_quiz, student_id=student.pk, due_at=new_due + timedelta(days=1), actor=instructor
    )
    extension_clear(assignment=late_quiz, student_id=student.pk, actor=instructor, reason="granted in error")
    newest, middle, _ = grade_log(course=late_quiz.course)
    assert (middle.old_value, middle.new_value) == ("2026-03-03 12:00 UTC", "2026-03-04 12:00 UTC")
    assert (newest.old_value, newest.new_value, newest.reason) == (
        "2026-03-04 12:00 UTC",
        "none",
        "granted in error",
    )
    assert not DueDateExtension.objects.exists()
    assert student_outcome(assignment=late_quiz, student_id=student.pk).final == pytest.approx(0.64)


def test_an_override_needs_a_reason_and_replaces_the_penalised_score(
    late_quiz, student, instructor, announced, django_capture_on_commit_callbacks
):
    with pytest.raises(CourseError, match="Say why"):
        override_set(assignment=late_quiz, student_id=student.pk, score=0.9, actor=instructor, reason="  ")
    assert not GradeOverride.objects.exists() and not GradeChange.objects.exists() and announced == []

    with django_capture_on_commit_callbacks(execute=True):
        override_set(
            assignment=late_quiz, student_id=student.pk, score=0.9, actor=instructor, reason="server outage"
        )
    cell = student_outcome(assignment=late_quiz, student_id=student.pk)
    assert cell.final == pytest.approx(0.9) and cell.overridden and cell.raw == pytest.approx(0.8)
    assert announced == [(late_quiz.pk, [student.pk])]
    override_set(
        assignment=late_quiz, student_id=student.pk, score=0.95, actor=instructor, reason="re-marked"
    )
    with pytest.raises(CourseError, match="Say why"):
        override_clear(assignment=late_quiz, student_id=student.pk, actor=instructor, reason="")
    override_clear(assignment=late_quiz, student_id=student.pk, actor=instructor, reason="outage made up")
    values = [(e.old_value, e.new_value, e.reason) for e in grade_log(course=late_quiz.course)]
    assert values == [
        ("95.0%", "none", "outage made up"),
        ("90.0%", "95.0%", "re-marked"),
        ("none", "90.0%", "server outage"),
    ]
    assert counting_score(assignment=late_quiz, student_id=student.pk) == pytest.approx(0.64)


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan")])
def test_an_override_outside_0_to_100_percent_is_refused(late_quiz, student, instructor, score):
    with pytest.raises(CourseError, match="between 0% and 100%"):
        override_set(assignment=late_quiz, student_id=student.pk, score=score, actor=instructor, reason="x")
    assert not GradeOverride.objects.exists()


def test_changes_for_someone_outside_the_course_are_refused_and_write_nothing(
    quiz_assignment, second_student, instructor, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(CourseError, match="not enrolled"):
            override_set(
                assignment=quiz_assignment,
                student_id=second_student.pk,
                score=1,
                actor=instructor,
                reason="x",
            )
        with pytest.raises(CourseError, match="not enrolled"):
            extension_set(
                assignment=quiz_assignment,
                student_id=second_student.pk,
                due_at=DUE + timedelta(days=1),
                actor=instructor,
            )
    assert not GradeChange.objects.exists() and announced == []


def test_an_extension_must_end_after_the_assignment_opens(quiz_assignment, student, enrol, instructor):
    enrol(student)
    with pytest.raises(CourseError, match="after the assignment opens"):
        extension_set(assignment=quiz_assignment, student_id=student.pk, due_at=OPENS, actor=instructor)
    with pytest.raises(CourseError, match="no extension"):
        extension_clear(assignment=quiz_assignment, student_id=student.pk, actor=instructor)
    assert not GradeChange.objects.exists()


def test_changing_the_late_penalty_announces_every_students_score(
    quiz_assignment, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment_update(
            assignment=quiz_assignment, opens_at=OPENS, due_at=DUE, weight=3
        )  # the weight moves no score
    assert announced == []
    with django_capture_on_commit_callbacks(execute=True):
        assignment_update(assignment=quiz_assignment, opens_at=OPENS, due_at=DUE, late_penalty_per_day=5)
    assert announced == [(quiz_assignment.pk, None)]


@pytest.mark.parametrize(
    "policy, message",
    [
        ({"weight": -1}, "weight"),
        ({"late_penalty_per_day": 101}, "late penalty"),
        ({"late_penalty_cap": -5}, "late penalty"),
    ],
)
def test_a_policy_out_of_range_is_refused(quiz_assignment, policy, message):
    with pytest.raises(CourseError, match=message):
        assignment_update(assignment=quiz_assignment, opens_at=OPENS, due_at=DUE, **policy)
    quiz_assignment.refresh_from_db()
    assert (quiz_assignment.weight, quiz_assignment.late_penalty_per_day) == (1.0, 0.0)


def test_the_total_is_weighted_and_students_without_work_are_listed(
    course, quiz, items, quiz_assignment, student, second_student, enrol, make_user, instructor
):
    exercise = assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="momentum", opens_at=OPENS, due_at=DUE
    )
    assignment_update(assignment=exercise, opens_at=OPENS, due_at=DUE, weight=3)
    for person in (student, second_student, make_user("idle")):
        enrol(person)
    finished_attempt(quiz, student, 1, [(items[0], 1), (items[1], 0)], finished_at=DUE - timedelta(days=1))
    graded_submission(student, "momentum", passed=True, score=1.0, at=DUE - timedelta(hours=1))
    # sue handed nothing in, but was excused from the quiz with full marks.
    override_set(
        assignment=quiz_assignment, student_id=second_student.pk, score=1, actor=instructor, reason="excused"
    )
    rows = {row.username: row for row in course_gradebook(course=course).rows}
    assert set(rows) == {"sam", "sue", "idle"}
    assert rows["sam"].total == pytest.approx((0.5 * 1 + 1.0 * 3) / 4)
    assert rows["sue"].total == pytest.approx(1 / 4)
    assert rows["idle"].total == 0 and [c.final for c in rows["idle"].cells] == [None, None]
    sam_quiz, sam_code = rows["sam"].cells
    assert sam_quiz.counted.kind == "attempt" and sam_quiz.counted.number == 1
    assert sam_code.counted.kind == "submission" and sam_code.counted.passed
