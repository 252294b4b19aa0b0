"""Readable option texts for the statistics page: choice templates filled the way students saw them.

A choice may contain `{{placeholders}}`; its pick counts add up every variant, so the page shows
the choice filled with one representative variant (drawn from a fixed seed, so the page is
stable) and keeps the template, with placeholders written as ⟨name⟩, for the reader who wants to
know what varies. A placeholder the variant cannot fill (or an item whose template no longer
draws) is shown as ⟨name⟩, never as raw braces.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from quizzes.engine import draw_variant, render_item
from quizzes.engine.common import stable_id
from quizzes.engine.templates import PLACEHOLDER_RE

REPRESENTATIVE_SEED = 0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OptionText:
    text: str  # what a student saw, for the representative variant
    template: str  # "" when the choice has no placeholders; else the template with ⟨name⟩


def readable_template(text: str) -> str:
    """`{{eta}}` and `{{eta:.2f}}` become ⟨eta⟩."""
    return PLACEHOLDER_RE.sub(lambda match: f"⟨{match.group(1)}⟩", text)


def choice_texts(item_dict: dict) -> dict[str, OptionText]:
    """Choice id -> its text for the statistics page, for a single or multiple choice item dict."""
    choices = [choice for choice in item_dict.get("choices") or [] if isinstance(choice, dict)]
    templates = {stable_id("c", choice): str(choice.get("text", "")) for choice in choices}
    if not any(PLACEHOLDER_RE.search(text) for text in templates.values()):
        return {choice_id: OptionText(text, "") for choice_id, text in templates.items()}
    readable = {choice_id: readable_template(text) for choice_id, text in templates.items()}
    try:
        rendered = render_item(item_dict, draw_variant(item_dict, REPRESENTATIVE_SEED))
        filled = {str(choice["id"]): str(choice["text"]) for choice in rendered.choices}
    except Exception:  # an item edited into a broken template must not take the whole page down
        logger.warning("choice texts of item %s could not be rendered", item_dict.get("key"), exc_info=True)
        filled = readable
    texts = {}
    for choice_id in templates:
        # A name the variant does not define stays a placeholder after filling: show it as ⟨name⟩ too.
        shown = readable_template(filled.get(choice_id, readable[choice_id]))
        texts[choice_id] = OptionText(shown, readable[choice_id] if readable[choice_id] != shown else "")
    return texts
