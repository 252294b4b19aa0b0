"""The engine's public entry points: each asks the item kind's handler (`kinds/registry.py`)."""

from __future__ import annotations

from typing import Any

from quizzes.engine import isolation
from quizzes.engine.judging import check_in_process
from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.result import CheckResult, RenderedItem, Variant
from quizzes.engine.settings import combined_feedback
from quizzes.engine.templates import fill
from quizzes.engine.variants import draw_variant as _draw_variant
from quizzes.engine.variants import rebuild_variant


def draw_variant(item: dict[str, Any], seed: int) -> Variant:
    """The variant of `item` for `seed` (deterministic). Raises VariantError for a broken template."""
    return _draw_variant(item, seed)


def render_item(item: dict[str, Any], variant: Variant | dict[str, Any] | None) -> RenderedItem:
    """The student-facing view of `item` under `variant`: no key, no explanation."""
    handler = handler_for(item.get("kind"))
    return handler.render(item, rebuild_variant(item, variant))


def check_answer(
    item: dict[str, Any], variant: Variant | dict[str, Any] | None, response: Any
) -> CheckResult:
    """Judge `response` (format per kind, see the package docstring) against the key.

    Symbolic items are judged in a worker process with time and memory limits (isolation.py). The
    item's combined feedback for the verdict, if any, follows the kind's own feedback.
    """
    rebuilt = rebuild_variant(item, variant)
    if isolation.isolated(item):
        result = isolation.check_answer(item, rebuilt, response)
    else:
        result = check_in_process(item, rebuilt, response)
    if overall := combined_feedback(item, result.status):
        result.feedback.append(fill(overall, rebuilt.values))
    return result


def preview_expression(item: dict[str, Any], text: str) -> dict[str, Any]:
    """For symbolic items: {"ok", "latex", "error"} so the page can echo the parsed input.

    Parsed in a worker process with time and memory limits (isolation.py); never raises.
    """
    return isolation.preview_expression(item, text)
