"""Template helpers for quiz pages: `{% load quiz_tags %}`."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from quizzes.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """`{{ item.stem|markdown }}`: sanitised HTML; math stays for KaTeX (see quizzes.markdown)."""
    # Safe to mark: render_markdown escapes raw HTML and runs the result through nh3.
    return mark_safe(render_markdown(text))


@register.filter
def percent(score: float | None) -> str:
    """A 0..1 score as a whole percentage; an em dash when there is no score yet."""
    if score is None:
        return "—"
    return f"{round(score * 100)}%"


@register.filter
def clock(seconds: int | None) -> str:
    """Seconds as m:ss (or h:mm:ss), for the attempt timer."""
    if seconds is None:
        return ""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
