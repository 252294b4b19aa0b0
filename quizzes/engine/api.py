"""The engine's public entry points: dispatch on `item["kind"]` to the module for that kind."""

from __future__ import annotations

from typing import Any

from quizzes.engine.result import CheckResult, RenderedItem, Variant
from quizzes.engine.templates import draw_variant as _draw_variant
from quizzes.engine.templates import rebuild_variant


def _kind_module(kind: str):
    from quizzes.engine import choices, numeric, ordering, symbolic, tables

    modules = {
        "single": choices,
        "multiple": choices,
        "truefalse": choices,
        "ordering": ordering,
        "numeric": numeric,
        "calculation": numeric,
        "symbolic": symbolic,
        "table": tables,
    }
    if kind not in modules:
        raise ValueError(f"unknown item kind {kind!r}")
    return modules[kind]


def draw_variant(item: dict, seed: int) -> Variant:
    """The variant of `item` for `seed` (deterministic). Raises VariantError for a broken template."""
    return _draw_variant(item, seed)


def render_item(item: dict, variant: Variant | dict | None) -> RenderedItem:
    """The student-facing view of `item` under `variant`: no key, no explanation."""
    return _kind_module(item.get("kind")).render(item, rebuild_variant(item, variant))


def check_answer(item: dict, variant: Variant | dict | None, response: Any) -> CheckResult:
    """Judge `response` (format per kind, see the package docstring) against the key.

    Symbolic items are judged in a worker process with time and memory limits (isolation.py).
    """
    from quizzes.engine import isolation

    rebuilt = rebuild_variant(item, variant)
    if isolation.isolated(item):
        return isolation.check_answer(item, rebuilt, response)
    return check_in_process(item, rebuilt, response)


def preview_expression(item: dict, text: str) -> dict:
    """For symbolic items: {"ok", "latex", "error"} so the page can echo the parsed input.

    Parsed in a worker process with time and memory limits (isolation.py); never raises.
    """
    from quizzes.engine import isolation

    return isolation.preview_expression(item, text)


def check_in_process(item: dict, variant: Variant, response: Any) -> CheckResult:
    """check_answer without the worker: for isolation's workers, and kinds proved cheap."""
    return _kind_module(item.get("kind")).check(item, variant, response)


def preview_in_process(item: dict, text: str) -> dict:
    """preview_expression without the worker: for isolation's workers only."""
    from quizzes.engine import symbolic

    return symbolic.preview(item, text)
