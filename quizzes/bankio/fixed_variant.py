"""One concrete variant of a calculation template, for formats that cannot hold templates (Moodle, GIFT)."""

from dataclasses import dataclass
from typing import Any

from quizzes.engine import check_answer, draw_variant, render_item

# Every export of the same bank gives the same numbers.
EXPORT_SEED = 0


@dataclass(frozen=True)
class FixedVariant:
    stem: str
    explanation: str
    answer: float
    params: dict[str, Any]


class VariantUnavailable(Exception):
    """The template could not be turned into one fixed question; the message says why."""


def fixed_variant(item: dict[str, Any]) -> FixedVariant:
    """Draw the export variant through the quiz engine and fill the stem and explanation with it."""
    try:
        variant = draw_variant(item, EXPORT_SEED)
        answer = float(variant.values["answer"])
        stem = render_item(item, variant).stem
        explanation = check_answer(item, variant, repr(answer)).explanation
    except Exception as error:  # a broken template is reported by the caller, never exported half-done
        raise VariantUnavailable(f"no variant could be drawn ({type(error).__name__}: {error})") from error
    return FixedVariant(stem=stem, explanation=explanation, answer=answer, params=dict(variant.params))
