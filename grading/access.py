"""Which students' code an instructor may see.

Grading does not know what a course is. The app that groups students under instructors (courses)
registers the rule when Django starts (`courses/apps.py`), and grading asks it here. Until a rule
is registered an instructor sees no other student's submissions: the fail-safe answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

# user -> a values("student_id")-style subquery of the students that user teaches
TaughtStudents = Callable[[Any], QuerySet[Any]]

_taught_students: TaughtStudents | None = None


def register_taught_students(rule: TaughtStudents) -> None:
    """Install the rule that says whom an instructor teaches (called once, from an AppConfig.ready())."""
    global _taught_students
    _taught_students = rule


def taught_students(user: Any) -> QuerySet[Any] | None:
    """The students `user` teaches as a subquery, or None when no rule is registered."""
    return None if _taught_students is None else _taught_students(user)


def limit_to_taught_students(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The rows of `queryset` (with a `student` field) whose student `user` teaches; all for a superuser."""
    if user.is_superuser:
        return queryset
    students = taught_students(user)
    if students is None:
        return queryset.none()
    return queryset.filter(student__in=students)
