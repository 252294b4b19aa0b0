"""Template helpers of the code-exercise pages: error advice, links to code lines, code listings."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from grading.advice import Advice, advice_for, link_line_references, source_lines

register = template.Library()


@register.simple_tag
def error_advice(verdict) -> Advice | None:
    """`{% error_advice verdict as advice %}`: the heading and advice for an ungradable verdict."""
    return advice_for(verdict)


@register.filter
def line_links(html) -> SafeString:
    """Links "line 12" in (escaped or sanitised) HTML to the listing's line 12 (`#L12`)."""
    # Safe to mark: the input is escaped first unless it is already safe, and only <a> tags are added.
    return mark_safe(link_line_references(str(conditional_escape(html))))


@register.filter
def numbered_lines(source: str) -> list[str]:
    return source_lines(source or "")
