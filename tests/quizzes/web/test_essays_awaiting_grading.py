"""A score that includes an essay still waiting for its grade is marked as provisional on the course's
gradebook, the student's grades, the staff's grade page and the item statistics, until it is graded."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create, enrollment_join
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.manual_grading import grade_answer

MARKER = "includes 1 answer awaiting grading"


@pytest.fixture
def course_with_essay(bank, make_item, make_quiz, student, instructor):
    """A course whose quiz holds an essay and a numeric item; the student answered both (numeric right)."""
    bank.owner = instructor
    bank.save()
    make_item("essay")
    make_item("numeric")
    quiz = make_quiz(owner=instructor)
    course = course_create(owner=instructor, name="Optimizers 101")
    now = timezone.now()
    assignment = assignment_create(
        course=course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now - timezone.timedelta(days=1),
        due_at=now + timezone.timedelta(days=1),
    )
    enrollment_join(student=student, code=course.code)
    attempt = attempt_start(quiz=quiz, student=student)
    essay = attempt.attempt_items.get(item__kind="essay")
    attempt_answer(attempt_item=essay, student=student, response="Momentum averages past gradients.")
    numeric = attempt.attempt_items.get(item__kind="numeric")
    attempt_answer(attempt_item=numeric, student=student, response="0.0371")
    attempt_finish(attempt=attempt)
    return course, assignment, essay


def _pages(course, assignment, student, instructor):
    staff, own = Client(), Client()
    staff.force_login(instructor)
    own.force_login(student)
    return {
        "gradebook": staff.get(reverse("courses:gradebook", args=[course.pk])),
        "grade page": staff.get(reverse("courses:grade_cell", args=[course.pk, student.pk, assignment.pk])),
        "statistics": staff.get(reverse("courses:assignment_statistics", args=[course.pk, assignment.pk])),
        "my grades": own.get(reverse("courses:my_grades", args=[course.pk])),
    }


def test_every_course_page_marks_a_score_with_an_essay_awaiting_grading(
    course_with_essay, student, instructor
):
    course, assignment, _essay = course_with_essay

    pages = _pages(course, assignment, student, instructor)

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert MARKER in response.content.decode(), name
    gradebook = pages["gradebook"].content.decode()
    assert "50.0%" in gradebook  # the provisional score: the numeric item right, the essay counted 0
    assert (
        '<span class="awaiting-badge" title="includes 1 answer awaiting grading">provisional</span>'
        in gradebook
    )
    statistics = pages["statistics"].content.decode()
    assert "the mean score, α and the figures of their items are provisional" in statistics


def test_the_marker_goes_once_the_essay_is_graded(
    course_with_essay, student, instructor, django_capture_on_commit_callbacks
):
    course, assignment, essay = course_with_essay

    with django_capture_on_commit_callbacks(execute=True):
        grade_answer(attempt_item=essay, score=1.0, comment="", by=instructor)

    pages = _pages(course, assignment, student, instructor)
    for name, response in pages.items():
        assert "awaiting grading" not in response.content.decode(), name
    assert "100.0%" in pages["gradebook"].content.decode()


def test_a_grade_set_by_hand_is_not_marked_provisional(course_with_essay, student, instructor):
    course, assignment, _essay = course_with_essay
    staff = Client()
    staff.force_login(instructor)
    url = reverse("courses:grade_cell", args=[course.pk, student.pk, assignment.pk])
    staff.post(url, {"action": "override", "override-score": "90", "override-reason": "oral exam"})

    gradebook = staff.get(reverse("courses:gradebook", args=[course.pk])).content.decode()

    assert "90.0%" in gradebook and "set by hand" in gradebook and MARKER not in gradebook
