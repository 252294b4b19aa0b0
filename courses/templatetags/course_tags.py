"""Template helpers for course pages: `{% load course_tags %}`."""

from django import template

from courses.codes import display_code

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
