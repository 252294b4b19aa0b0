"""Template helpers for course pages: `{% load course_tags %}`."""

import functools
from collections.abc import Callable
from typing import Any

from django import template

from courses.codes import display_code

register = template.Library()


def _dash_for_none(filter_function: Callable[..., str]) -> Callable[..., str]:
    """The filter, except that a missing value (None) shows as an em dash."""

    @functools.wraps(filter_function)  # Django reads the wrapped signature to count the filter's arguments
    def shown(value: Any, *args: Any) -> str:
        return "—" if value is None else filter_function(value, *args)

    return shown


@register.filter
@_dash_for_none
def pct(value: float, digits: int = 0) -> str:
    """A 0..1 fraction as a percentage."""
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
@_dash_for_none
def coefficient(value: float) -> str:
    """A correlation or reliability coefficient with two decimals (minus sign, not a hyphen)."""
    return f"{value:.2f}".replace("-", "−")


@register.filter
@_dash_for_none
def number(value: float, digits: int = 1) -> str:
    return f"{value:.{int(digits)}f}"


@register.filter
def enrolment_code(code: str) -> str:
    return display_code(code)
