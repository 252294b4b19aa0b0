"""Template helpers for quiz pages: `{% load quiz_tags %}`."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from quizzes.engine.kinds.cloze import BLANK_PREFIX, blank_marker
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


def _blank_input(blank: dict, given: str | list[str], verdict: str) -> SafeString:
    """The input of one cloze blank: a text box, a menu, a group of radio buttons or of check boxes."""
    name = f"{BLANK_PREFIX}{blank['number']}"
    label = str(blank.get("label") or f"Blank {blank['number']}")
    mark = format_html('<span class="visually-hidden"> ({})</span>', verdict) if verdict else ""
    classes = f"cloze-blank blank-{verdict}" if verdict else "cloze-blank"
    if blank.get("type") == "multi":
        ticked = set(given) if isinstance(given, list) else set()
        boxes = format_html_join(
            "",
            '<label class="cloze-option"><input type="checkbox" name="{}" value="{}"{}> {}</label>',
            (
                (name, c["id"], mark_safe(" checked") if c["id"] in ticked else "", c["text"])
                for c in blank["choices"]
            ),
        )
        return format_html(
            '<span class="{} cloze-radios cloze-checks {}" role="group" aria-label="{}">{}{}</span>',
            classes,
            blank.get("display"),
            label,
            boxes,
            mark,
        )
    value = given if isinstance(given, str) else ""
    if blank.get("type") != "choice":
        numeric = blank.get("type") == "numeric"
        return format_html(
            '<span class="{}"><input type="text" name="{}" value="{}" aria-label="{}" size="{}" maxlength="500"'
            ' autocomplete="off" spellcheck="false"{}>{}</span>',
            classes,
            name,
            value,
            label,
            blank.get("size", 8),
            mark_safe(' inputmode="decimal"') if numeric else "",
            mark,
        )
    choices = blank.get("choices") or []
    if blank.get("display") == "menu":
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((c["id"], mark_safe(" selected") if c["id"] == value else "", c["text"]) for c in choices),
        )
        return format_html(
            '<span class="{}"><select name="{}" aria-label="{}"><option value="">Choose…</option>{}</select>{}</span>',
            classes,
            name,
            label,
            options,
            mark,
        )
    radios = format_html_join(
        "",
        '<label class="cloze-option"><input type="radio" name="{}" value="{}"{}> {}</label>',
        ((name, c["id"], mark_safe(" checked") if c["id"] == value else "", c["text"]) for c in choices),
    )
    return format_html(
        '<span class="{} cloze-radios {}" role="radiogroup" aria-label="{}">{}{}</span>',
        classes,
        blank.get("display"),
        label,
        radios,
        mark,
    )


def cloze_html(stem: str, blanks: list[dict], values: dict, verdicts: dict) -> SafeString:
    """A cloze stem as HTML with each blank's input where its marker stands."""
    html = render_markdown(stem)
    for blank in blanks:
        number = str(blank["number"])
        given = values.get(number, "")
        given = [str(v) for v in given] if isinstance(given, list) else str(given)
        widget = _blank_input(blank, given, verdicts.get(number, ""))
        html = html.replace(blank_marker(int(number)), str(widget), 1)
    # Safe to mark: the Markdown is sanitised by render_markdown and every input is built by format_html.
    return mark_safe(html)


@register.simple_tag
def cloze_stem(panel) -> SafeString:
    """`{% cloze_stem panel %}`: the attempt page's cloze stem with the student's values and verdicts."""
    verdicts = {}
    if panel.result:
        for row in (panel.result.get("details") or {}).get("blanks") or []:
            verdicts[str(row.get("number"))] = str(row.get("status", ""))
    return cloze_html(
        panel.rendered["stem"], panel.rendered.get("blanks") or [], panel.state.blanks, verdicts
    )


@register.simple_tag
def cloze_try_it(rendered, response) -> SafeString:
    """The authoring preview's cloze stem with the values just tried."""
    values = response if isinstance(response, dict) else {}
    return cloze_html(rendered["stem"], rendered.get("blanks") or [], values, {})
