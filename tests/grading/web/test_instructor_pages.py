from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create, enrollment_join
from grading.exercises import EXERCISES
from grading.models import Submission
from grading.verdict import Verdict


@pytest.fixture
def course_of_sam_and_sue(instructor, student, second_student):
    """Instructors see only their courses' students, for the exercises their courses assign:
    iris teaches both test students and assigns every exercise."""
    course = course_create(owner=instructor, name="Optimizers")
    now = timezone.now()
    for slug in EXERCISES:
        assignment_create(
            course=course,
            kind=AssignmentKind.EXERCISE,
            exercise_slug=slug,
            opens_at=now,
            due_at=now + timedelta(days=7),
        )
    for member in (student, second_student):
        enrollment_join(student=member, code=course.code)
    return course


@pytest.fixture
def other_instructor_client(client, db):
    other = user_create(username="otto", password="instructor-pass-123", instructor=True)
    course_create(owner=other, name="Someone else's course")
    client.force_login(other)
    return client


def _graded(student, slug, *diagnoses, passed=False):
    verdict = Verdict(
        status="passed" if passed else "failed",
        score=1.0 if passed else 0.3,
        fidelity=1.0 if passed else 0.2,
        convergence=1.0 if passed else 0.5,
        message="…",
        sandbox_outcome="completed",
        diagnosis=[{"name": name, "title": title, "explanation": "…"} for name, title in diagnoses],
    ).to_dict()
    return Submission.objects.create(
        student=student,
        exercise_slug=slug,
        source="x",
        status="graded",
        verdict=verdict,
        score=verdict["score"],
        passed=passed,
    )


def test_instructors_see_their_students_submissions_and_can_filter(
    instructor_client, student, second_student, course_of_sam_and_sue
):
    a = _graded(student, "adam")
    b = _graded(second_student, "sgd")
    url = reverse("grading:instructor_submissions")
    page = instructor_client.get(url).content.decode()
    assert (
        reverse("grading:submission", args=[a.pk]) in page
        and reverse("grading:submission", args=[b.pk]) in page
    )
    only_sue = instructor_client.get(url, {"student": "sue"}).content.decode()
    assert reverse("grading:submission", args=[b.pk]) in only_sue
    assert reverse("grading:submission", args=[a.pk]) not in only_sue
    only_adam = instructor_client.get(url, {"exercise": "adam"}).content.decode()
    assert reverse("grading:submission", args=[a.pk]) in only_adam
    assert reverse("grading:submission", args=[b.pk]) not in only_adam


def test_instructors_can_open_their_students_submissions(instructor_client, student, course_of_sam_and_sue):
    submission = _graded(student, "adam")
    page = instructor_client.get(reverse("grading:submission", args=[submission.pk])).content.decode()
    assert "sam" in page


def test_the_most_common_diagnoses_are_counted_per_exercise(
    instructor_client, student, second_student, course_of_sam_and_sue
):
    bias = ("adam-no-bias-correction", "Missing bias correction")
    eps = ("adam-eps-inside-sqrt", "ε inside the square root")
    _graded(student, "adam", bias)
    _graded(student, "adam", bias)
    _graded(second_student, "adam", bias, eps)
    _graded(second_student, "adam", passed=True)
    page = instructor_client.get(reverse("grading:instructor_diagnoses")).content.decode()
    bias_row = page.split('data-mistake="adam-no-bias-correction"')[1].split("</tr>")[0]
    assert "<td>3</td><td>2</td>" in bias_row  # 3 submissions by 2 students
    assert page.index("adam-no-bias-correction") < page.index("adam-eps-inside-sqrt")


def test_students_cannot_open_instructor_pages(student_client):
    assert student_client.get(reverse("grading:instructor_submissions")).status_code == 403
    assert student_client.get(reverse("grading:instructor_diagnoses")).status_code == 403


def test_an_instructor_of_another_course_cannot_open_or_list_the_submissions(
    other_instructor_client, student, second_student, course_of_sam_and_sue
):
    submission = _graded(student, "adam", ("adam-no-bias-correction", "Missing bias correction"))
    assert other_instructor_client.get(reverse("grading:submission", args=[submission.pk])).status_code == 404
    assert (
        other_instructor_client.get(reverse("grading:submission_status", args=[submission.pk])).status_code
        == 404
    )
    listing = other_instructor_client.get(reverse("grading:instructor_submissions")).content.decode()
    assert reverse("grading:submission", args=[submission.pk]) not in listing
    diagnoses = other_instructor_client.get(reverse("grading:instructor_diagnoses")).content.decode()
    assert 'data-mistake="adam-no-bias-correction"' not in diagnoses


def test_a_student_who_left_the_course_drops_out_of_the_instructors_view(
    instructor_client, student, second_student, course_of_sam_and_sue
):
    submission = _graded(student, "sgd")
    course_of_sam_and_sue.enrollments.filter(student=student).delete()
    assert instructor_client.get(reverse("grading:submission", args=[submission.pk])).status_code == 404
    listing = instructor_client.get(reverse("grading:instructor_submissions")).content.decode()
    assert reverse("grading:submission", args=[submission.pk]) not in listing


def test_superusers_see_every_submission(client, student):
    admin = user_create(username="root", password="admin-pass-123")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    submission = _graded(student, "sgd")  # sam is in nobody's course
    assert client.get(reverse("grading:submission", args=[submission.pk])).status_code == 200
    listing = client.get(reverse("grading:instructor_submissions")).content.decode()
    assert reverse("grading:submission", args=[submission.pk]) in listing
