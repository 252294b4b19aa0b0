"""The gradebook pages: a student's own grades, the staff's cell page with extensions and overrides,
the audit log, the staff's view of an attempt, the assignment's grading settings, and the CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import AssignmentKind, CourseShare, GradeChange, GradeOverride
from courses.services.courses import assignment_create, assignment_update, course_create
from courses.services.grade_changes import override_set
from quizzes.models import Quiz, ShareRole
from tests.courses.conftest import DUE, OPENS, finished_attempt, graded_submission


@pytest.fixture
def exercise_assignment(course):
    return assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="momentum", opens_at=OPENS, due_at=DUE
    )


@pytest.fixture
def work(
    course, quiz, items, quiz_assignment, exercise_assignment, student, second_student, enrol, make_user
):
    """sam: a quiz attempt on time and a late one, a late passing submission; sue: one attempt;
    idle: enrolled, nothing handed in. Late work loses 10% a day."""
    for assignment in (quiz_assignment, exercise_assignment):
        assignment_update(assignment=assignment, opens_at=OPENS, due_at=DUE, late_penalty_per_day=10)
    for person in (student, second_student, make_user("idle")):
        enrol(person)
    on_time = finished_attempt(
        quiz, student, 1, [(items[0], 1), (items[1], 0)], finished_at=DUE - timedelta(days=1)
    )
    late = finished_attempt(
        quiz, student, 2, [(items[0], 1), (items[1], 1)], finished_at=DUE + timedelta(hours=2)
    )
    submission = graded_submission(
        student, "momentum", passed=True, score=1.0, at=DUE + timedelta(days=1, hours=1)
    )
    theirs = finished_attempt(quiz, second_student, 1, [(items[0], 1), (items[1], 1)], finished_at=DUE)
    return {"on_time": on_time, "late": late, "submission": submission, "theirs": theirs}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _cell_url(course, student, assignment):
    return reverse("courses:grade_cell", args=[course.pk, student.pk, assignment.pk])


# --- Students -----------------------------------------------------------------------------------


def test_the_course_page_leads_students_to_their_grades(student_client, course, student, enrol):
    enrol(student)
    page = student_client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert f'href="{reverse("courses:my_grades", args=[course.pk])}"' in page


def test_students_see_only_their_own_grades_with_links_to_their_own_work(student_client, course, work):
    response = student_client.get(reverse("courses:my_grades", args=[course.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    # Quiz: the late 100% loses 10% -> 90%, which beats the on-time 50%; exercise: 100% two days late -> 80%.
    assert "90.0%" in page and "(100.0% before the late penalty)" in page
    assert "80.0%" in page
    assert "85.0%" in page  # the total: (90 + 80) / 2
    for mine in (work["on_time"], work["late"]):
        assert f'href="{reverse("quizzes:review", args=[mine.pk])}"' in page
    assert f'href="{reverse("grading:submission", args=[work["submission"].pk])}"' in page
    assert reverse("quizzes:review", args=[work["theirs"].pk]) not in page
    assert "sue" not in page and "idle" not in page


def test_an_override_shows_on_the_students_page_without_its_private_reason(
    student_client, course, quiz_assignment, work, student, instructor
):
    override_set(
        assignment=quiz_assignment, student_id=student.pk, score=0.7, actor=instructor, reason="copied"
    )
    page = student_client.get(reverse("courses:my_grades", args=[course.pk])).content.decode()
    assert "70.0%" in page and "set by the course staff" in page and "copied" not in page


def test_grades_are_only_for_students_of_the_course(course, work, make_user, instructor):
    url = reverse("courses:my_grades", args=[course.pk])
    assert _client(make_user("stranger")).get(url).status_code == 404
    assert _client(instructor).get(url).status_code == 404  # teachers use the gradebook


# --- The staff's gradebook ----------------------------------------------------------------------


def test_every_gradebook_cell_links_to_the_work_it_came_from(instructor_client, course, work, student):
    page = instructor_client.get(reverse("courses:gradebook", args=[course.pk])).content.decode()
    assert f'href="{reverse("courses:student_attempt", args=[course.pk, work["late"].pk])}"' in page
    assert f'href="{reverse("grading:submission", args=[work["submission"].pk])}"' in page
    assert f'href="{reverse("courses:student_attempt", args=[course.pk, work["theirs"].pk])}"' in page
    # Raw and penalised side by side where they differ, and the weighted total.
    assert "100%" in page and "90%" in page and "penalty-badge" in page
    assert "85.0%" in page
    assert "idle" in page  # on the roster with no work yet
    assert f'href="{_cell_url(course, student, work["late"].quiz.assignments.get())}"' in page


def test_an_override_without_a_reason_is_refused_with_a_clear_error(
    instructor_client, course, quiz_assignment, work, student
):
    url = _cell_url(course, student, quiz_assignment)
    response = instructor_client.post(
        url, {"action": "override", "override-score": "95", "override-reason": ""}
    )
    assert response.status_code == 400
    assert "Say why: the reason is kept in the course" in response.content.decode()
    assert 'value="95"' in response.content.decode()  # what was typed is kept
    assert not GradeOverride.objects.exists() and not GradeChange.objects.exists()
    response = instructor_client.post(
        url, {"action": "override", "override-score": "150", "override-reason": "x"}
    )
    assert response.status_code == 400 and "less than or equal to 100" in response.content.decode()


def test_an_override_and_an_extension_from_the_cell_page_reach_the_gradebook_and_the_log(
    instructor_client, course, quiz_assignment, work, student
):
    url = _cell_url(course, student, quiz_assignment)
    response = instructor_client.post(
        url, {"action": "override", "override-score": "75", "override-reason": "marked by hand"}
    )
    assert response.status_code == 302 and response["Location"] == url
    response = instructor_client.post(
        url, {"action": "extension", "extension-due_at": "2026-03-05T12:00", "extension-reason": "flu"}
    )
    assert response.status_code == 302
    cell_page = instructor_client.get(url).content.decode()
    assert "75.0%" in cell_page and "marked by hand" in cell_page and "flu" in cell_page
    log = instructor_client.get(reverse("courses:grade_changes", args=[course.pk])).content.decode()
    assert "marked by hand" in log and "none" in log and "75.0%" in log and "iris" in log
    assert "2026-03-05 12:00 UTC" in log
    book = instructor_client.get(reverse("courses:gradebook", args=[course.pk])).content.decode()
    assert "set by hand" in book and "extended" in book
    rows = list(
        csv.reader(
            io.StringIO(
                instructor_client.get(reverse("courses:gradebook_csv", args=[course.pk])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    sam = next(row for row in rows if row[0] == "sam")
    assert sam[2:5] == ["100.0", "75.0", "override"]
    assert sam[8] == "2026-03-05 12:00:00"  # the extended due date
    assert sam[9:12] == ["100.0", "80.0", "late penalty"]
    assert sam[-1] == "77.5"


def test_an_unknown_change_is_refused(instructor_client, course, quiz_assignment, work, student):
    response = instructor_client.post(
        _cell_url(course, student, quiz_assignment), {"action": "delete-everything"}
    )
    assert response.status_code == 400


def test_a_viewer_sees_the_cell_and_the_log_but_cannot_change_anything(
    course, quiz_assignment, work, student, make_user
):
    viewer = make_user("vera", instructor=True)
    CourseShare.objects.create(course=course, user=viewer, role=ShareRole.VIEWER)
    client = _client(viewer)
    url = _cell_url(course, student, quiz_assignment)
    page = client.get(url)
    assert page.status_code == 200 and "Override the grade" not in page.content.decode()
    assert client.get(reverse("courses:grade_changes", args=[course.pk])).status_code == 200
    response = client.post(url, {"action": "override", "override-score": "100", "override-reason": "me"})
    assert response.status_code == 404 and not GradeOverride.objects.exists()


def test_staff_of_another_course_can_neither_see_nor_change_anything(
    course, quiz_assignment, work, student, make_user
):
    other = make_user("olga", instructor=True)
    own_course = course_create(owner=other, name="Her course")
    client = _client(other)
    url = _cell_url(course, student, quiz_assignment)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"action": "override", "override-score": "1", "override-reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("courses:grade_changes", args=[course.pk])).status_code == 404
    assert (
        client.get(reverse("courses:student_attempt", args=[course.pk, work["late"].pk])).status_code == 404
    )
    # Nor through her own course's addresses.
    assert client.get(_cell_url(own_course, student, quiz_assignment)).status_code == 404
    assert (
        client.get(reverse("courses:student_attempt", args=[own_course.pk, work["late"].pk])).status_code
        == 404
    )
    assert not GradeOverride.objects.exists()


def test_the_cell_page_is_only_for_students_of_the_course(
    instructor_client, course, quiz_assignment, make_user
):
    stranger = make_user("stranger")
    assert instructor_client.get(_cell_url(course, stranger, quiz_assignment)).status_code == 404


def test_the_staff_read_a_students_attempt(instructor_client, course, work):
    response = instructor_client.get(reverse("courses:student_attempt", args=[course.pk, work["on_time"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "sam · Momentum check, attempt 1" in page and "why-momentum" in page and "50.0%" in page


def test_attempts_at_quizzes_the_course_does_not_assign_stay_private(
    instructor_client, course, work, student
):
    other_quiz = Quiz.objects.create(slug="not-assigned", title="Not assigned")
    attempt = finished_attempt(other_quiz, student, 1, [(work["on_time"].attempt_items.first().item, 1)])
    url = reverse("courses:student_attempt", args=[course.pk, attempt.pk])
    assert instructor_client.get(url).status_code == 404


# --- Grading settings of an assignment ----------------------------------------------------------


def test_the_assignment_page_sets_weight_and_late_penalty(instructor_client, course, quiz_assignment):
    url = reverse("courses:assignment_edit", args=[course.pk, quiz_assignment.pk])
    data = {"opens_at": "2026-02-15T12:00", "due_at": "2026-03-01T12:00"}
    response = instructor_client.post(
        url, {**data, "weight": "2", "late_penalty_per_day": "5", "late_penalty_cap": "25"}
    )
    assert response.status_code == 302
    quiz_assignment.refresh_from_db()
    assert (
        quiz_assignment.weight,
        quiz_assignment.late_penalty_per_day,
        quiz_assignment.late_penalty_cap,
    ) == (2, 5, 25)
    response = instructor_client.post(url, {**data, "weight": "2", "late_penalty_per_day": "150"})
    assert response.status_code == 200 and "less than or equal to 100" in response.content.decode()
    quiz_assignment.refresh_from_db()
    assert quiz_assignment.late_penalty_per_day == 5


def test_removing_an_override_needs_a_reason_too(
    instructor_client, course, quiz_assignment, work, student, instructor
):
    override_set(
        assignment=quiz_assignment, student_id=student.pk, score=0.7, actor=instructor, reason="copied"
    )
    url = _cell_url(course, student, quiz_assignment)
    response = instructor_client.post(url, {"action": "clear_override", "clear-override-reason": " "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert GradeOverride.objects.get().score == 0.7 and GradeChange.objects.count() == 1
    response = instructor_client.post(
        url, {"action": "clear_override", "clear-override-reason": "not copied"}
    )
    assert response.status_code == 302 and not GradeOverride.objects.exists()
