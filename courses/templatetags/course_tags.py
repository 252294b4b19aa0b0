"""Template helpers for course pages: `{% load course_tags %}`."""

import functools
from collections.abc import Callable
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from courses.codes import display_code
from courses.services.gradebook import ATTEMPT

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


@register.filter
def awaiting_grading(count: int) -> str:
    """The marker of a provisional score: 'includes 2 answers awaiting grading'."""
    return f"includes {count} answer{'s' if count != 1 else ''} awaiting grading"


AWAITING_TITLE = "They count 0 until graded by hand; this score will change."


@register.simple_tag
def gradebook_cells(row, course) -> str:
    """The cells of one gradebook row: raw (linking to the work it came from), final (linking to the
    student's page for the assignment), tries (with the late badge).

    Built here rather than in the template: a course of 500 students and a few assignments has
    thousands of cells, and the template language costs tens of microseconds per lookup.
    """
    book_url = reverse("courses:gradebook", args=[course.pk])
    # Addresses with the id last, filled in per cell (reversing thousands of times is slow).
    attempt_url = reverse("courses:student_attempt", args=[course.pk, 0]).removesuffix("0/")
    submission_url = reverse("grading:submission", args=[0]).removesuffix("0/")
    parts = []
    for cell in row.cells:
        counted = cell.counted
        if counted is None:
            raw = format_html('<td class="num">{}</td>', pct(cell.raw))
        else:
            url = f"{attempt_url if counted.kind == ATTEMPT else submission_url}{counted.pk}/"
            raw = format_html(
                '<td class="num"><a href="{}">{}<span class="visually-hidden"> ({} of {})</span></a></td>',
                url,
                pct(cell.raw),
                work_label(counted),
                row.username,
            )
        badges = ""
        if cell.overridden:
            badges = ' <span class="override-badge">set by hand</span>'
        elif cell.penalised:
            badges = ' <span class="penalty-badge">late penalty</span>'
        if cell.extended:
            badges += format_html(
                ' <span class="extension-badge" title="due {}">extended</span>',
                date_filter(cell.outcome.due_at, "Y-m-d H:i"),
            )
        if cell.provisional:
            badges += format_html(
                ' <span class="awaiting-badge" title="{}">{}</span>',
                AWAITING_TITLE,
                awaiting_grading(cell.awaiting),
            )
        final = format_html(
            '<td class="num{}"><a href="{}students/{}/assignments/{}/">{}'
            '<span class="visually-hidden"> (details for {})</span></a>{}</td>',
            " adjusted" if cell.outcome and cell.outcome.differs else "",
            book_url,
            row.student_id,
            cell.assignment_id,
            pct(cell.final),
            row.username,
            mark_safe(badges),  # noqa: S308 -- built above from constants and format_html
        )
        late = ""
        if cell.late:
            late = format_html(
                ' <span class="late-badge" title="completed {}">late</span>',
                date_filter(cell.completed_at, "Y-m-d H:i"),
            )
        tries = format_html('<td class="num">{}{}</td>', cell.attempts, late)
        parts += [raw, final, tries]
    return mark_safe("".join(parts))  # noqa: S308 -- every part is format_html output
