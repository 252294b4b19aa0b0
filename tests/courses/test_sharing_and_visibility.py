"""Courses are shared by their owner; instructors see students' code only where and since they teach them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import AssignmentKind, CourseShare, Enrollment
from courses.services.access import limit_to_taught_students
from courses.services.code_analytics import exercise_analytics
from courses.services.courses import assignment_create
from grading.models import Submission
from grading.services.submissions import get_submission_for_user, submissions_for_instructor
from quizzes.models import ShareRole
from tests.courses.conftest import DUE, OPENS, graded_submission


@pytest.fixture
def colleague(make_user):
    return make_user("cora", instructor=True)


@pytest.fixture
def colleague_client(client, colleague):
    client.force_login(colleague)
    return client


def share(course, user, role):
    return CourseShare.objects.create(course=course, user=user, role=role)


def test_another_instructor_gets_404_for_every_page_of_the_course(colleague_client, course, quiz_assignment):
    kwargs = {"course_id": course.pk}
    for name in ("courses:detail", "courses:gradebook", "courses:gradebook_csv", "courses:sharing"):
        assert colleague_client.get(reverse(name, kwargs=kwargs)).status_code == 404
    statistics = reverse(
        "courses:assignment_statistics", kwargs={**kwargs, "assignment_id": quiz_assignment.pk}
    )
    assert colleague_client.get(statistics).status_code == 404


def test_a_viewer_sees_the_gradebook_and_statistics_but_changes_nothing(
    colleague_client, colleague, course, quiz_assignment
):
    share(course, colleague, ShareRole.VIEWER)
    kwargs = {"course_id": course.pk}
    assert colleague_client.get(reverse("courses:gradebook", kwargs=kwargs)).status_code == 200
    statistics = reverse(
        "courses:assignment_statistics", kwargs={**kwargs, "assignment_id": quiz_assignment.pk}
    )
    assert colleague_client.get(statistics).status_code == 200
    page = colleague_client.get(reverse("courses:detail", kwargs=kwargs))
    assert page.status_code == 200 and b"New code" not in page.content
    delete = reverse("courses:assignment_delete", kwargs={**kwargs, "assignment_id": quiz_assignment.pk})
    assert colleague_client.post(delete).status_code == 404
    assert course.assignments.count() == 1


def test_a_co_teacher_manages_assignments_but_cannot_share_the_course(
    colleague_client, colleague, course, quiz_assignment
):
    share(course, colleague, ShareRole.EDITOR)
    kwargs = {"course_id": course.pk}
    delete = reverse("courses:assignment_delete", kwargs={**kwargs, "assignment_id": quiz_assignment.pk})
    assert colleague_client.post(delete).status_code == 302
    assert course.assignments.count() == 0
    assert colleague_client.get(reverse("courses:sharing", kwargs=kwargs)).status_code == 404
    taught = colleague_client.get(reverse("courses:list")).context["taught"]
    assert list(taught) == [course]


def test_the_owner_shares_the_course_by_username(instructor_client, colleague, course):
    url = reverse("courses:sharing", kwargs={"course_id": course.pk})
    assert instructor_client.post(url, {"username": "cora", "role": "viewer"}).status_code == 302
    assert course.shares.get().user == colleague
    assert instructor_client.post(url, {"remove": colleague.pk}).status_code == 302
    assert not course.shares.exists()


# --- Which code submissions an instructor sees ----------------------------------------------------


@pytest.fixture
def adam_course(course):
    assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="adam", opens_at=OPENS, due_at=DUE
    )
    return course


@pytest.fixture
def joined(adam_course, student, enrol):
    """The student joined the course a week ago."""
    enrollment = enrol(student)
    Enrollment.objects.filter(pk=enrollment.pk).update(joined_at=timezone.now() - timedelta(days=7))
    return timezone.now() - timedelta(days=7)


def test_an_instructor_sees_no_submission_made_before_the_student_joined(instructor, student, joined):
    before = graded_submission(student, "adam", passed=False, score=0.2, at=joined - timedelta(days=1))
    after = graded_submission(student, "adam", passed=True, score=1.0, at=joined + timedelta(days=1))

    assert list(submissions_for_instructor(viewer=instructor)) == [after]
    with pytest.raises(Submission.DoesNotExist):
        get_submission_for_user(instructor, before.pk)
    assert get_submission_for_user(instructor, after.pk) == after


def test_an_instructor_sees_no_submission_to_an_exercise_the_course_does_not_assign(
    instructor, student, joined
):
    unassigned = graded_submission(student, "sgd", passed=True, score=1.0, at=joined + timedelta(days=1))

    assert not submissions_for_instructor(viewer=instructor).exists()
    with pytest.raises(Submission.DoesNotExist):
        get_submission_for_user(instructor, unassigned.pk)
    assert get_submission_for_user(student, unassigned.pk) == unassigned  # the student still sees it


def test_a_co_teacher_sees_the_course_students_work_and_an_outsider_sees_none(
    colleague, make_user, adam_course, student, joined
):
    work = graded_submission(student, "adam", passed=True, score=1.0, at=joined + timedelta(days=1))
    outsider = make_user("olaf", instructor=True)
    share(adam_course, colleague, ShareRole.VIEWER)

    assert list(limit_to_taught_students(Submission.objects.all(), colleague)) == [work]
    assert not limit_to_taught_students(Submission.objects.all(), outsider).exists()


def test_code_analytics_count_only_work_made_after_joining(adam_course, student, joined):
    graded_submission(student, "adam", passed=True, score=1.0, at=joined - timedelta(days=1))
    graded_submission(student, "adam", passed=False, score=0.1, at=joined + timedelta(days=1))

    analytics = exercise_analytics(course=adam_course, exercise_slug="adam")

    assert (analytics.graded_submissions, analytics.students_passed) == (1, 0)


# --- A regrade reaches the course's item statistics -----------------------------------------------


def test_a_regrade_updates_the_running_sums_behind_item_statistics(
    course, quiz, items, student, enrol, instructor, django_capture_on_commit_callbacks
):
    from courses.models import ItemScoreSums
    from courses.services.item_aggregates import rebuild_student_sums
    from quizzes.services.versions import item_version_current, regrade_apply
    from tests.courses.conftest import finished_attempt

    enrol(student)
    numeric = items[1]
    numeric.spec = {"answer": 0.3, "tolerance": {"mode": "absolute", "value": 0.01}}
    numeric.save()
    first = item_version_current(item=numeric)
    attempt = finished_attempt(quiz, student, 1, [(numeric, 1.0)], responses={numeric.key: "0.3"})
    attempt.attempt_items.update(version=first)
    rebuild_student_sums(quiz.pk, [student.pk])
    numeric.spec = {"answer": 0.5, "tolerance": {"mode": "absolute", "value": 0.01}}
    numeric.save()

    with django_capture_on_commit_callbacks(execute=True):
        regrade_apply(item=numeric, to_version=item_version_current(item=numeric), by=instructor)

    sums = ItemScoreSums.objects.get(quiz=quiz, student=student, item=numeric)
    assert (sums.n, sums.sum_x) == (1, 0.0)
