"""Per-student due-date extensions and grade overrides, each change kept in the audit log.

Every function takes keyword arguments, runs in one transaction (the change and its log entry are
written together or not at all), raises CourseError with a message for the person who asked (and
writes nothing) when the change is not allowed, and announces `courses.events.grades_changed` once
the change has committed, so that the LMS gets the new score.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from courses.events import announce_grades_changed
from courses.models import (
    Assignment,
    Course,
    DueDateExtension,
    Enrollment,
    GradeChange,
    GradeChangeKind,
    GradeOverride,
)
from courses.services.courses import CourseError

MAX_REASON = 2000
NONE = "none"


def _moment(value: datetime | None) -> str:
    return NONE if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _percent(score: float | None) -> str:
    return NONE if score is None else f"{score * 100:.1f}%"


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = str(reason or "").strip()
    if required and not reason:
        raise CourseError("Say why: the reason is kept in the course's audit log.")
    if len(reason) > MAX_REASON:
        raise CourseError(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def _enrolled_student(assignment: Assignment, student_id: int):
    enrollment = (
        Enrollment.objects.filter(course_id=assignment.course_id, student_id=student_id)
        .select_related("student")
        .first()
    )
    if enrollment is None:
        raise CourseError("That student is not enrolled in this course.")
    return enrollment.student


def _log(assignment: Assignment, student, actor, kind: str, old: str, new: str, reason: str) -> GradeChange:
    return GradeChange.objects.create(
        course_id=assignment.course_id,
        assignment=assignment,
        assignment_label=f"{assignment.target_label} (due {assignment.due_at.astimezone(UTC):%Y-%m-%d})"[
            :300
        ],
        student=student,
        student_name=student.get_username(),
        actor=actor,
        actor_name=actor.get_username(),
        kind=kind,
        old_value=old,
        new_value=new,
        reason=reason,
    )


def _locked_extension(assignment: Assignment, student) -> DueDateExtension | None:
    """The student's extension on the assignment, locked until the transaction ends, or None."""
    return DueDateExtension.objects.select_for_update().filter(assignment=assignment, student=student).first()


def extension_set(
    *, assignment: Assignment, student_id: int, due_at: datetime, actor, reason: str = ""
) -> None:
    """Give the student their own due date on the assignment (replacing an earlier extension)."""
    if due_at is None or timezone.is_naive(due_at):
        raise CourseError("Give the new due date with its time zone.")
    if due_at <= assignment.opens_at:
        raise CourseError("The new due date must come after the assignment opens.")
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        student = _enrolled_student(assignment, student_id)
        existing = _locked_extension(assignment, student)
        old = existing.due_at if existing else None
        if old == due_at:
            raise CourseError("The student already has that due date.")
        DueDateExtension.objects.update_or_create(
            assignment=assignment, student=student, defaults={"due_at": due_at}
        )
        _log(assignment, student, actor, GradeChangeKind.EXTENSION, _moment(old), _moment(due_at), reason)
        announce_grades_changed(assignment_id=assignment.pk, student_ids=[student.pk])


def extension_clear(*, assignment: Assignment, student_id: int, actor, reason: str = "") -> None:
    """Take the extension away: the assignment's own due date applies again."""
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        student = _enrolled_student(assignment, student_id)
        existing = _locked_extension(assignment, student)
        if existing is None:
            raise CourseError("The student has no extension on this assignment.")
        existing.delete()
        _log(assignment, student, actor, GradeChangeKind.EXTENSION, _moment(existing.due_at), NONE, reason)
        announce_grades_changed(assignment_id=assignment.pk, student_ids=[student.pk])


def override_set(*, assignment: Assignment, student_id: int, score: float, actor, reason: str) -> None:
    """Set the student's score on the assignment by hand (a fraction, 0 to 1); a reason is required."""
    if score is None or math.isnan(score) or not 0.0 <= score <= 1.0:
        raise CourseError("A grade is between 0% and 100%.")
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        student = _enrolled_student(assignment, student_id)
        existing = (
            GradeOverride.objects.select_for_update().filter(assignment=assignment, student=student).first()
        )
        old = existing.score if existing else None
        GradeOverride.objects.update_or_create(
            assignment=assignment, student=student, defaults={"score": score, "reason": reason}
        )
        _log(assignment, student, actor, GradeChangeKind.OVERRIDE, _percent(old), _percent(score), reason)
        announce_grades_changed(assignment_id=assignment.pk, student_ids=[student.pk])


def override_clear(*, assignment: Assignment, student_id: int, actor, reason: str) -> None:
    """Remove the override: the policy's score counts again. A reason is required."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        student = _enrolled_student(assignment, student_id)
        existing = (
            GradeOverride.objects.select_for_update().filter(assignment=assignment, student=student).first()
        )
        if existing is None:
            raise CourseError("The student's grade on this assignment is not overridden.")
        existing.delete()
        _log(assignment, student, actor, GradeChangeKind.OVERRIDE, _percent(existing.score), NONE, reason)
        announce_grades_changed(assignment_id=assignment.pk, student_ids=[student.pk])


def grade_log(*, course: Course, student_id: int | None = None, assignment_id: int | None = None) -> QuerySet:
    """The course's audit log, newest first (optionally for one student and/or one assignment)."""
    entries = GradeChange.objects.filter(course=course)
    if student_id is not None:
        entries = entries.filter(student_id=student_id)
    if assignment_id is not None:
        entries = entries.filter(assignment_id=assignment_id)
    return entries.order_by("-at", "-id")
