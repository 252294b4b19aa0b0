"""Course rules: creating courses, enrolment codes, joining, and assignments with their dates.

Every function takes keyword arguments and raises CourseError with a message meant for the person
who made the request; nothing is written when it raises.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import is_instructor
from courses.codes import new_code, normalise_code
from courses.events import announce_grades_changed
from courses.models import Assignment, AssignmentKind, Course, CourseShare, Enrollment
from grading import api as grading_api
from quizzes.services.sharing import share_remove, share_set

MAX_CODE_TRIES = 20
MAX_WEIGHT = 1000


class CourseError(Exception):
    """A request the course rules do not allow; the message says why, in plain words."""


def _unused_code() -> str:
    # Collisions are astronomically rare; the unique constraint is the real guard.
    for _ in range(MAX_CODE_TRIES):
        code = new_code()
        if not Course.objects.filter(code=code).exists():
            return code
    raise CourseError("Could not find a free enrolment code; please try again.")


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise CourseError("A course needs a name.")
    if len(name) > 200:
        raise CourseError("A course name can be at most 200 characters.")
    return name


def course_create(*, owner, name: str) -> Course:
    if not is_instructor(owner):
        raise CourseError("Only instructors can create courses.")
    return Course.objects.create(owner=owner, name=_clean_name(name), code=_unused_code())


def course_rename(*, course: Course, name: str) -> Course:
    course.name = _clean_name(name)
    course.save(update_fields=["name"])
    return course


def course_regenerate_code(*, course: Course) -> Course:
    """A fresh enrolment code; the old one stops working at once. Enrolled students stay enrolled."""
    for _ in range(MAX_CODE_TRIES):
        try:
            with transaction.atomic():
                course.code = _unused_code()
                course.save(update_fields=["code"])
            return course
        except IntegrityError:  # another course took the same code between the check and the save
            continue
    raise CourseError("Could not find a free enrolment code; please try again.")


def enrollment_join(*, student, code: str) -> tuple[Enrollment, bool]:
    """Enrol `student` in the course with this code; (enrolment, created). Joining twice is harmless."""
    normalised = normalise_code(code)
    if not normalised:
        raise CourseError("Type the enrolment code your instructor gave you.")
    course = Course.objects.filter(code=normalised).first()
    if course is None:
        raise CourseError("No course has that enrolment code. Check it with your instructor.")
    if course.owner_id == student.pk:
        raise CourseError("You teach this course, so you cannot join it as a student.")
    try:
        with transaction.atomic():
            return Enrollment.objects.get_or_create(course=course, student=student)
    except IntegrityError:  # a double-clicked button: the other request enrolled them
        return Enrollment.objects.get(course=course, student=student), False


def enrollment_remove(*, course: Course, student_id: int) -> bool:
    """Take a student out of the course; their quiz attempts and submissions are kept."""
    deleted, _ = Enrollment.objects.filter(course=course, student_id=student_id).delete()
    return bool(deleted)


def _check_target(kind: str, quiz, exercise_slug: str) -> tuple[object, str]:
    if kind == AssignmentKind.QUIZ:
        if quiz is None:
            raise CourseError("Choose the quiz to assign.")
        return quiz, ""
    if kind == AssignmentKind.EXERCISE:
        if grading_api.exercise_info(exercise_slug) is None:
            raise CourseError(f"There is no code exercise called {exercise_slug!r}.")
        return None, exercise_slug
    raise CourseError("An assignment is either a quiz or a code exercise.")


def _check_dates(opens_at: datetime, due_at: datetime) -> None:
    if opens_at is None or due_at is None:
        raise CourseError("An assignment needs both an opening date and a due date.")
    if timezone.is_naive(opens_at) or timezone.is_naive(due_at):
        raise CourseError("Dates must carry a time zone.")
    if due_at <= opens_at:
        raise CourseError("The due date must come after the opening date.")


def assignment_create(
    *, course: Course, kind: str, opens_at: datetime, due_at: datetime, quiz=None, exercise_slug: str = ""
) -> Assignment:
    quiz, exercise_slug = _check_target(kind, quiz, exercise_slug)
    _check_dates(opens_at, due_at)
    return Assignment.objects.create(
        course=course, kind=kind, quiz=quiz, exercise_slug=exercise_slug, opens_at=opens_at, due_at=due_at
    )


def _check_policy(weight: float, per_day: float, cap: float) -> None:
    if weight is None or math.isnan(weight) or not 0 <= weight <= MAX_WEIGHT:
        raise CourseError(f"A weight is a number from 0 (left out of the total) to {MAX_WEIGHT}.")
    for value in (per_day, cap):
        if value is None or math.isnan(value) or not 0 <= value <= 100:
            raise CourseError("A late penalty is a percentage from 0 to 100.")


def assignment_update(
    *,
    assignment: Assignment,
    opens_at: datetime,
    due_at: datetime,
    weight: float | None = None,
    late_penalty_per_day: float | None = None,
    late_penalty_cap: float | None = None,
) -> Assignment:
    """Move the dates and set the grade policy (weight and late penalty; those not given stay).

    What is assigned stays: changing it would mix two works in one gradebook column. A change that
    can move scores (the due date or the late penalty) is announced, so the LMS gets the new scores.
    """
    _check_dates(opens_at, due_at)
    weight = assignment.weight if weight is None else weight
    per_day = assignment.late_penalty_per_day if late_penalty_per_day is None else late_penalty_per_day
    cap = assignment.late_penalty_cap if late_penalty_cap is None else late_penalty_cap
    _check_policy(weight, per_day, cap)
    moves_scores = (due_at, per_day, cap) != (
        assignment.due_at,
        assignment.late_penalty_per_day,
        assignment.late_penalty_cap,
    )
    assignment.opens_at, assignment.due_at = opens_at, due_at
    assignment.weight, assignment.late_penalty_per_day, assignment.late_penalty_cap = weight, per_day, cap
    with transaction.atomic():
        assignment.save(
            update_fields=["opens_at", "due_at", "weight", "late_penalty_per_day", "late_penalty_cap"]
        )
        if moves_scores:
            announce_grades_changed(assignment_id=assignment.pk, student_ids=None)
    return assignment


def assignment_delete(*, assignment: Assignment) -> None:
    """Remove the assignment; the students' attempts and submissions themselves are kept."""
    assignment.delete()


def assignment_state(assignment: Assignment, now: datetime | None = None) -> str:
    """'upcoming' before it opens, 'open' until it is due, 'past due' after."""
    now = now or timezone.now()
    if now < assignment.opens_at:
        return "upcoming"
    if now <= assignment.due_at:
        return "open"
    return "past due"


def course_share_set(*, course: Course, username: str, role: str) -> CourseShare:
    """Share the course with an instructor as co-teacher or viewer (changing the role if already shared)."""
    return share_set(CourseShare, owner_id=course.owner_id, username=username, role=role, course=course)


def course_share_remove(*, course: Course, user_id: int) -> bool:
    return share_remove(CourseShare, user_id=user_id, course=course)
