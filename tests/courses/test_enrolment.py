"""Creating courses, enrolment codes and joining."""

import pytest

from courses.codes import ALPHABET, CODE_LENGTH, display_code, normalise_code
from courses.models import Course, Enrollment
from courses.services.courses import CourseError, course_create, course_regenerate_code, enrollment_join


def test_new_course_gets_a_readable_unique_code(course, instructor):
    other = course_create(owner=instructor, name="Optimizers 102")
    assert len(course.code) == CODE_LENGTH and set(course.code) <= set(ALPHABET)
    assert course.code != other.code


def test_students_cannot_create_courses(student):
    with pytest.raises(CourseError, match="Only instructors"):
        course_create(owner=student, name="My own course")
    assert not Course.objects.exists()


def test_blank_course_name_is_refused(instructor):
    with pytest.raises(CourseError, match="needs a name"):
        course_create(owner=instructor, name="   ")


def test_student_joins_with_the_code_typed_loosely(course, student):
    typed = display_code(course.code).lower().replace("-", " - ")
    enrollment, created = enrollment_join(student=student, code=typed)
    assert created and enrollment.course == course and enrollment.student == student


def test_joining_twice_keeps_one_enrolment(course, student):
    enrollment_join(student=student, code=course.code)
    _, created = enrollment_join(student=student, code=course.code)
    assert not created
    assert Enrollment.objects.filter(course=course, student=student).count() == 1


def test_wrong_code_is_refused_and_enrols_nobody(course, student):
    with pytest.raises(CourseError, match="No course has that enrolment code"):
        enrollment_join(student=student, code="AAAA-AAAA" if course.code != "AAAAAAAA" else "CCCC-CCCC")
    assert not Enrollment.objects.exists()


def test_regenerated_code_replaces_the_old_one_and_keeps_students(course, student, second_student):
    enrollment_join(student=student, code=course.code)
    old = course.code
    course_regenerate_code(course=course)
    assert course.code != old
    with pytest.raises(CourseError):
        enrollment_join(student=second_student, code=old)
    enrollment_join(student=second_student, code=course.code)
    assert set(course.students.values_list("username", flat=True)) == {"sam", "sue"}


def test_the_instructor_cannot_join_their_own_course(course, instructor):
    with pytest.raises(CourseError, match="You teach this course"):
        enrollment_join(student=instructor, code=course.code)


def test_code_normalisation():
    assert normalise_code(" acde-fghj ") == "ACDEFGHJ"
    assert display_code("ACDEFGHJ") == "ACDE-FGHJ"


def test_join_page_enrols_and_shows_the_course(student_client, student, course):
    response = student_client.post("/courses/join/", {"code": display_code(course.code)}, follow=True)
    assert response.status_code == 200
    assert Enrollment.objects.filter(course=course, student=student).exists()
    assert "Optimizers 101" in response.content.decode()


def test_join_page_explains_a_wrong_code(student_client, course):
    response = student_client.post("/courses/join/", {"code": "nope"})
    assert response.status_code == 200
    assert "No course has that enrolment code" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_instructor_creates_and_regenerates_through_the_pages(instructor_client):
    response = instructor_client.post("/courses/new/", {"name": "Deep learning, spring"})
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/courses/{course.pk}/"
    old = course.code
    assert display_code(old) in instructor_client.get(f"/courses/{course.pk}/").content.decode()
    instructor_client.post(f"/courses/{course.pk}/code/")
    course.refresh_from_db()
    assert course.code != old


def test_course_list_shows_joined_and_taught_courses(client, student, instructor, course):
    enrollment_join(student=student, code=course.code)
    client.force_login(student)
    student_page = client.get("/courses/").content.decode()
    assert "Optimizers 101" in student_page and "New course" not in student_page
    client.force_login(instructor)
    teacher_page = client.get("/courses/").content.decode()
    assert "Optimizers 101" in teacher_page and display_code(course.code) in teacher_page
