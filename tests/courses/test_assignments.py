"""Assignments: what can be assigned, their dates and states, and the pages that manage them."""

from datetime import timedelta

import pytest

from courses.models import Assignment, AssignmentKind
from courses.services.courses import CourseError, assignment_create, assignment_state, assignment_update
from quizzes.models import Quiz
from tests.courses.conftest import DUE, OPENS


def test_quiz_and_exercise_assignments_carry_their_dates(course, quiz):
    quiz_assignment = assignment_create(
        course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=OPENS, due_at=DUE
    )
    exercise = assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="adam", opens_at=OPENS, due_at=DUE
    )
    assert (quiz_assignment.opens_at, quiz_assignment.due_at) == (OPENS, DUE)
    assert quiz_assignment.target_label == "Momentum check"
    assert exercise.target_label != "adam"  # the exercise's own title, from its folder


def test_due_date_must_follow_the_opening_date(course, quiz):
    for due in (OPENS, OPENS - timedelta(minutes=1)):
        with pytest.raises(CourseError, match="must come after"):
            assignment_create(course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=OPENS, due_at=due)
    assert not Assignment.objects.exists()


def test_unknown_exercise_is_refused(course):
    with pytest.raises(CourseError, match="no code exercise called 'sgd-deluxe'"):
        assignment_create(
            course=course,
            kind=AssignmentKind.EXERCISE,
            exercise_slug="sgd-deluxe",
            opens_at=OPENS,
            due_at=DUE,
        )


def test_moving_dates_keeps_them_in_order(quiz_assignment):
    with pytest.raises(CourseError):
        assignment_update(assignment=quiz_assignment, opens_at=DUE, due_at=OPENS)
    quiz_assignment.refresh_from_db()
    assert quiz_assignment.due_at == DUE  # nothing was saved
    assignment_update(assignment=quiz_assignment, opens_at=OPENS, due_at=DUE + timedelta(days=7))
    quiz_assignment.refresh_from_db()
    assert quiz_assignment.due_at == DUE + timedelta(days=7)


def test_state_follows_the_clock(quiz_assignment):
    assert assignment_state(quiz_assignment, OPENS - timedelta(seconds=1)) == "upcoming"
    assert assignment_state(quiz_assignment, OPENS) == "open"
    assert assignment_state(quiz_assignment, DUE) == "open"
    assert assignment_state(quiz_assignment, DUE + timedelta(seconds=1)) == "past due"


def test_instructor_assigns_through_the_course_page(instructor_client, course, quiz):
    response = instructor_client.post(
        f"/courses/{course.pk}/assignments/new/",
        {"target": f"quiz:{quiz.pk}", "opens_at": "2026-02-15T12:00", "due_at": "2026-03-01T12:00"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.quiz, assignment.opens_at, assignment.due_at) == (quiz, OPENS, DUE)


def test_bad_dates_on_the_page_are_explained_and_nothing_is_saved(instructor_client, course):
    response = instructor_client.post(
        f"/courses/{course.pk}/assignments/new/",
        {"target": "exercise:sgd", "opens_at": "2026-03-01T12:00", "due_at": "2026-02-01T12:00"},
    )
    assert response.status_code == 400
    assert "The due date must come after the opening date." in response.content.decode()
    assert not Assignment.objects.exists()


def test_edit_page_moves_the_due_date(instructor_client, course, quiz_assignment):
    url = f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/edit/"
    assert 'value="2026-03-01T12:00"' in instructor_client.get(url).content.decode()
    instructor_client.post(url, {"opens_at": "2026-02-15T12:00", "due_at": "2026-03-08T12:00"})
    quiz_assignment.refresh_from_db()
    assert quiz_assignment.due_at == DUE + timedelta(days=7)


def test_removing_an_assignment_keeps_the_quiz(instructor_client, course, quiz, quiz_assignment):
    instructor_client.post(f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/delete/")
    assert not Assignment.objects.exists()
    assert Quiz.objects.filter(pk=quiz.pk).exists()
