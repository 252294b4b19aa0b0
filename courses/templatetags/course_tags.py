"""Template helpers for course pages: `{% load course_tags %}`."""

from django import template
from django.urls import reverse

from courses.codes import display_code
from courses.services.gradebook import ATTEMPT

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """A 0..1 fraction as a percentage; an em dash when there is nothing to show."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def coefficient(value: float | None) -> str:
    """A correlation or reliability coefficient with two decimals (minus sign, not a hyphen)."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace("-", "−")


@register.filter
def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def enrolment_code(code: str) -> str:
    return display_code(code)


@register.simple_tag
def work_url(ref, course_id: int, staff: bool = False) -> str:
    """Where a piece of work (a `courses.services.gradebook.WorkRef`) is read: the student's own
    review or submission page, or, for the course staff, the course's view of the attempt."""
    if ref is None:
        return ""
    if ref.kind == ATTEMPT:
        if staff:
            return reverse("courses:student_attempt", args=[course_id, ref.pk])
        return reverse("quizzes:review", args=[ref.pk])
    return reverse("grading:submission", args=[ref.pk])


@register.filter
def work_label(ref) -> str:
    """'Attempt 2', or 'Submission 3' for the student's third graded submission of the exercise."""
    if ref is None:
        return ""
    return f"{'Attempt' if ref.kind == ATTEMPT else 'Submission'} {ref.number}"
