"""The quiz engine: validate, vary, render and check quiz items. Django-free.

An item is the dict of docs/bank-format.md (`Item.to_dict()`): common fields plus the
kind-specific spec.

    validate_item(item) -> list[str]            problems, [] when fine; never raises
    variant_seed(student_id, item_uid, attempt_number) -> int
    draw_variant(item, seed) -> Variant          .params, .values, .to_dict(), Variant.from_dict()
    render_item(item, variant) -> RenderedItem   student-facing only
    check_answer(item, variant, response) -> CheckResult
    preview_expression(item, text) -> {"ok", "latex", "error"}
    answer_key(item, variant) -> str             Markdown of the key only (authoring preview, review)

`variant` may be a Variant, its dict form, or None for items without parameters.
Response formats: single -> choice id; multiple -> list of choice ids; truefalse -> bool or
"true"/"false"; ordering -> list of step ids; numeric/calculation -> the typed text;
symbolic -> the typed text; table -> {cell name: typed text}.

The rules (number parsing, tolerance, scoring, equivalence, carried-forward credit) are in
README.md next to this file. Also available: `calculators.calculator_reference()` (every
calculator with its arguments) and `selfcheck.correct_response(item, variant)` (the key as a
response, for checking that an item accepts its own answer).
"""

from quizzes.engine.api import check_answer, draw_variant, preview_expression, render_item
from quizzes.engine.keys import answer_key
from quizzes.engine.result import CheckResult, RenderedItem, Variant
from quizzes.engine.spec import validate_item
from quizzes.engine.templates import VariantError, variant_seed

__all__ = [
    "CheckResult",
    "RenderedItem",
    "Variant",
    "VariantError",
    "answer_key",
    "check_answer",
    "draw_variant",
    "preview_expression",
    "render_item",
    "validate_item",
    "variant_seed",
]
