"""calculation items exported as one fixed numeric variant (Moodle's calculated type and GIFT
cannot hold our templates); nothing imports as a calculation."""

from typing import Any

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.fixed_variant import FixedVariant, VariantUnavailable, fixed_variant
from quizzes.bankio.gift_parts import GiftQuestion
from quizzes.bankio.kinds.base import KindFormats
from quizzes.bankio.kinds.numeric import gift_numeric_answers, numerical_children
from quizzes.bankio.moodle_parts import MoodleQuestion
from quizzes.bankio.tolerances import absolute_tolerance
from quizzes.engine.kinds import ItemKind


def _fixed_variant(item: dict[str, Any], result: ExportResult) -> FixedVariant | None:
    """The export variant, or None after reporting in `result` why the item was skipped."""
    try:
        return fixed_variant(item)
    except VariantUnavailable as error:
        result.skipped.append(Skipped(item["key"], ItemKind.CALCULATION.value, str(error)))
        return None


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion | None:
    """One fixed variant as a numerical question: Moodle's calculated type works too differently."""
    variant = _fixed_variant(item, result)
    if variant is None:
        return None
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    result.notes.append(f"{item['key']}: exported as one fixed variant ({variant.params})")
    children = numerical_children(variant.answer, tolerance, [], item.get("units", ""))
    return MoodleQuestion("numerical", variant.stem, variant.explanation, children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion | None:
    variant = _fixed_variant(item, result)
    if variant is None:
        return None
    result.notes.append(f"{item['key']}: exported as one fixed variant ({variant.params})")
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    return GiftQuestion(
        variant.stem, gift_numeric_answers(variant.answer, tolerance, []), variant.explanation
    )


FORMATS = KindFormats(kind=ItemKind.CALCULATION, moodle_writer=write_moodle, gift_writer=write_gift)
