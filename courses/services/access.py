"""Every permission-checked fetch of course data, in one place.

An instructor reaches only the courses they own; a student only the courses they joined. Anything
else is a 404 rather than a 403, so course and assignment ids cannot be probed. Views that are for
instructors only are additionally wrapped in `accounts.roles.instructor_required` (403 for students).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import Assignment, Course, Enrollment


def courses_taught_by(user) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(owner=user)


def courses_joined_by(user) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(enrollments__student=user)


def get_course_for_instructor(user, course_id: int) -> Course:
    """A course the user owns; 404 for every other course."""
    return get_object_or_404(courses_taught_by(user), pk=course_id)


def get_course_for_member(user, course_id: int) -> tuple[Course, bool]:
    """A course the user owns or joined, and whether they teach it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such course.")
    course = Course.objects.filter(pk=course_id).select_related("owner").first()
    if course is None:
        raise Http404("No such course.")
    if course.owner_id == user.pk:
        return course, True
    if course.enrollments.filter(student=user).exists():
        return course, False
    raise Http404("No such course.")


def get_assignment_for_instructor(user, course_id: int, assignment_id: int) -> Assignment:
    """An assignment of a course the user owns (checked through the course); 404 otherwise."""
    course = get_course_for_instructor(user, course_id)
    assignment = get_object_or_404(
        Assignment.objects.select_related("quiz", "course"), pk=assignment_id, course=course
    )
    return assignment


def taught_students(user) -> QuerySet:
    """Ids (a values("student_id") subquery) of the students enrolled in a course the user owns."""
    return Enrollment.objects.filter(course__owner=user).values("student_id")
