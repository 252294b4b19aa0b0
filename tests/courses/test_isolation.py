"""Course isolation: instructors see only their own courses, students never see instructor pages."""

import pytest
from django.test import Client

from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create
from tests.courses.conftest import DUE, OPENS


@pytest.fixture
def rival_client(make_user):
    client = Client()
    client.force_login(make_user("rival", instructor=True))
    return client


@pytest.fixture
def exercise_assignment(course):
    return assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="sgd", opens_at=OPENS, due_at=DUE
    )


def _instructor_urls(course, quiz_assignment, exercise_assignment):
    base = f"/courses/{course.pk}"
    return [
        f"{base}/gradebook/",
        f"{base}/gradebook.csv",
        f"{base}/assignments/{quiz_assignment.pk}/statistics/",
        f"{base}/assignments/{exercise_assignment.pk}/statistics/",
        f"{base}/assignments/{quiz_assignment.pk}/edit/",
    ]


def test_owner_reaches_every_instructor_page(instructor_client, course, quiz_assignment, exercise_assignment):
    for url in _instructor_urls(course, quiz_assignment, exercise_assignment):
        assert instructor_client.get(url).status_code == 200, url


def test_another_instructor_gets_404_everywhere(
    rival_client, course, quiz_assignment, exercise_assignment, student, enrol
):
    enrol(student)
    for url in [f"/courses/{course.pk}/", *_instructor_urls(course, quiz_assignment, exercise_assignment)]:
        assert rival_client.get(url).status_code == 404, url
    # Nor can they act on the course.
    assert rival_client.post(f"/courses/{course.pk}/code/").status_code == 404
    assert rival_client.post(f"/courses/{course.pk}/students/{student.pk}/remove/").status_code == 404
    assert (
        rival_client.post(f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/delete/").status_code == 404
    )
    assert course.enrollments.count() == 1
    assert "sam" not in rival_client.get("/courses/").content.decode()


def test_an_assignment_id_from_another_course_is_404(instructor_client, instructor, make_user, quiz):
    mine = course_create(owner=instructor, name="Mine")
    theirs = course_create(owner=make_user("other-owner", instructor=True), name="Theirs")
    foreign = assignment_create(
        course=theirs, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=OPENS, due_at=DUE
    )
    response = instructor_client.get(f"/courses/{mine.pk}/assignments/{foreign.pk}/statistics/")
    assert response.status_code == 404


def test_enrolled_student_cannot_see_the_gradebook_or_statistics(
    student_client, student, enrol, course, quiz_assignment, exercise_assignment
):
    enrol(student)
    for url in _instructor_urls(course, quiz_assignment, exercise_assignment):
        assert student_client.get(url).status_code in {403, 404}, url


def test_enrolled_student_sees_assignments_with_dates_but_not_classmates(
    student_client, student, second_student, enrol, course, quiz_assignment
):
    enrol(student)
    enrol(second_student)
    page = student_client.get(f"/courses/{course.pk}/").content.decode()
    assert "Momentum check" in page
    assert "2026-02-15 12:00" in page and "2026-03-01 12:00" in page
    assert "sue" not in page
    assert course.code not in page.replace("-", "")


def test_a_student_outside_the_course_gets_404(student_client, course):
    assert student_client.get(f"/courses/{course.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, course):
    response = client.get(f"/courses/{course.pk}/gradebook/")
    assert response.status_code == 302 and "login" in response["Location"]
