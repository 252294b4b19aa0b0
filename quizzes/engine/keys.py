"""answer_key: the correct answer of an item under a variant, as Markdown, and nothing else.

For the authoring preview and for reviewing items a student left unanswered, where there is no
response to check. The text is the same `correct_answer` a student sees after answering (choice
texts, the ordered steps, the number with its units, the LaTeX of the key expression, the table
of key cells), so the two can never disagree: each kind's handler derives it from its own check.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.result import Variant
from quizzes.engine.variants import rebuild_variant


def answer_key(item: dict[str, Any], variant: Variant | dict[str, Any] | None) -> str:
    """Markdown of the key for `variant` (a Variant, its dict form, or None for untemplated items).

    Raises like check_answer for an item that fails validate_item.
    """
    handler = handler_for(item.get("kind"))
    return handler.answer_key(item, rebuild_variant(item, variant))
