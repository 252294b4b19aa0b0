"""Which students' code an instructor may see, and which exercises a student was given.

Grading does not know what a course is. The app that groups students under instructors (courses)
registers the rules when Django starts (`courses/receivers.py`), and grading asks them here. Until the
rules are registered an instructor sees no other student's submissions, and no student reaches an
instructor-written exercise through a course: the fail-safe answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Rules:
    """The questions grading asks the app that groups students under instructors."""

    # user -> a filter on Submission rows (student, exercise_slug, created_at) the user may see as a teacher
    visible_work: Callable[[Any], Q]
    # user -> the slugs of the exercises assigned to the user as a student (by the courses they joined)
    assigned_exercises: Callable[[Any], Iterable[str]]
    # slug -> the names of the courses that assign the exercise (to anyone)
    assigning_courses: Callable[[str], Iterable[str]]


_rules: Rules | None = None


def register_rules(rules: Rules) -> None:
    """Install the rules (called once, from an AppConfig.ready())."""
    global _rules
    _rules = rules


def taught_work_q(user: Any) -> Q | None:
    """The filter for the submissions `user` may see as a teacher, or None while no rule is registered."""
    return None if _rules is None else _rules.visible_work(user)


def limit_to_taught_work(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The submissions of `queryset` that `user` may see as a teacher; all for a superuser."""
    if user.is_superuser:
        return queryset
    visible = taught_work_q(user)
    if visible is None:
        return queryset.none()
    return queryset.filter(visible)


def exercises_assigned_to(user: Any) -> frozenset[str]:
    """The slugs of the exercises assigned to `user` as a student; none while no rule is registered."""
    if _rules is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(_rules.assigned_exercises(user))


def courses_assigning(slug: str) -> list[str]:
    """The names of the courses that assign the exercise `slug`; none while no rule is registered."""
    if _rules is None:
        return []
    return sorted(set(_rules.assigning_courses(slug)))
