"""Which students' code an instructor may see, and which exercises a student was given.

Grading does not know what a course is. The app that groups students under instructors (courses)
registers the rules when Django starts (`courses/receivers.py`), and grading asks them here. Until a
rule is registered an instructor sees no other student's submissions, and no student reaches an
instructor-written exercise through a course: the fail-safe answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet

# user -> a filter on Submission rows (student, exercise_slug, created_at) that the user may see as a teacher
VisibleWork = Callable[[Any], Q]

_visible_work: VisibleWork | None = None


def register_visible_work(rule: VisibleWork) -> None:
    """Install the rule that says whose work an instructor may see (called once, from an AppConfig.ready())."""
    global _visible_work
    _visible_work = rule


def taught_work_q(user: Any) -> Q | None:
    """The filter for the submissions `user` may see as a teacher, or None when no rule is registered."""
    return None if _visible_work is None else _visible_work(user)


def limit_to_taught_work(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The submissions of `queryset` that `user` may see as a teacher; all for a superuser."""
    if user.is_superuser:
        return queryset
    visible = taught_work_q(user)
    if visible is None:
        return queryset.none()
    return queryset.filter(visible)


# user -> the slugs of the exercises assigned to the user as a student (by the courses they joined)
AssignedExercises = Callable[[Any], Iterable[str]]

_assigned_exercises: AssignedExercises | None = None


def register_assigned_exercises(rule: AssignedExercises) -> None:
    """Install the rule that says which exercises a student was given (called once, from an AppConfig.ready())."""
    global _assigned_exercises
    _assigned_exercises = rule


def exercises_assigned_to(user: Any) -> frozenset[str]:
    """The slugs of the exercises assigned to `user` as a student; none while no rule is registered."""
    if _assigned_exercises is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(_assigned_exercises(user))


# slug -> the names of the courses that assign the exercise (to anyone)
AssigningCourses = Callable[[str], Iterable[str]]

_assigning_courses: AssigningCourses | None = None


def register_assigning_courses(rule: AssigningCourses) -> None:
    """Install the rule that says which courses assign an exercise (called once, from an AppConfig.ready())."""
    global _assigning_courses
    _assigning_courses = rule


def courses_assigning(slug: str) -> list[str]:
    """The names of the courses that assign the exercise `slug`; none while no rule is registered."""
    if _assigning_courses is None:
        return []
    return sorted(set(_assigning_courses(slug)))
