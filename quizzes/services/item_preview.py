"""The authoring preview of an item: a seed's rendering and key, several variants side by side,
and the try-it form's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quizzes.engine import answer_key as engine_answer_key
from quizzes.engine import check_answer, draw_variant, preview_expression, render_item
from quizzes.engine.kinds import ItemKind, find_handler
from quizzes.engine.result import Variant
from quizzes.engine.selfcheck import correct_response


@dataclass
class Preview:
    seed: int
    variant: Any
    rendered: Any
    key: str  # Markdown: the correct answer for this seed
    explanation: str  # Markdown, placeholders filled


def _as_dict(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else value


def answer_key(item: dict, variant, rendered) -> tuple[str, str]:
    """(correct answer, explanation) for this variant, as Markdown.

    The engine reports both on every well-formed check (an "invalid" response gets neither), so
    checking the kind's own correct response gives the explanation; the key comes from answer_key.
    """
    result = check_answer(item, variant, _correct_response(item, variant))
    key = engine_answer_key(item, variant)
    if not key:
        key = "_The engine reported no key for this variant._"
    return str(key), result.explanation


def _correct_response(item: dict, variant: Any) -> Any:
    built = Variant.from_dict(variant) if isinstance(variant, dict) else variant
    return correct_response(item, built)


def preview(item: dict, seed: int) -> Preview:
    variant = draw_variant(item, seed)
    rendered = render_item(item, variant)
    key, explanation = answer_key(item, variant, rendered)
    return Preview(seed=seed, variant=variant, rendered=rendered, key=key, explanation=explanation)


@dataclass
class VariantRow:
    seed: int
    params: dict
    values: dict  # computed values beyond the parameters (answer, extras)
    key: str
    misconceptions: list[tuple[str, Any]] = field(default_factory=list)  # (feedback, value)


def varies_by_seed(item: dict) -> bool:
    """Whether the item draws parameters, so several seeds are worth comparing side by side."""
    handler = find_handler(item.get("kind"))
    return handler is not None and handler.templated and bool(item.get("params"))


def variant_rows(item: dict, seeds: list[int]) -> list[VariantRow]:
    """Several seeds' drawn parameters, computed answers and misconception values, for comparison."""
    rows = []
    for seed in seeds:
        variant = draw_variant(item, seed)
        params = {name: readable_number(value) for name, value in variant.params.items()}
        computed = {
            name: readable_number(value) for name, value in variant.values.items() if name not in params
        }
        key, _ = answer_key(item, variant, render_item(item, variant))
        rows.append(
            VariantRow(
                seed=seed,
                params=params,
                values=computed,
                key=key,
                misconceptions=[
                    (label, readable_number(value)) for label, value in _misconception_values(item, variant)
                ],
            )
        )
    return rows


def readable_number(value: Any) -> Any:
    # Floats straight from arithmetic (3.4000000000000004) would hide the pattern across seeds.
    return float(f"{value:.10g}") if isinstance(value, float) else value


def _misconception_values(item: dict, variant) -> list[tuple[str, Any]]:
    """(feedback, computed wrong answer) for each misconception the spec lists, for this variant."""
    listed = item.get("misconceptions") or []
    computed = list(getattr(variant, "misconception_answers", []))
    return [
        (str(entry.get("feedback", "")) if isinstance(entry, dict) else "", value)
        for entry, value in zip(listed, computed, strict=False)
    ]


def try_answer(item: dict, seed: int, response) -> Any:
    return check_answer(item, draw_variant(item, seed), response)


def expression_echo(item: dict, response) -> dict | None:
    """For symbolic items, how the engine read the typed expression ({"ok", "latex", "error"})."""
    if item.get("kind") != ItemKind.SYMBOLIC or not isinstance(response, str) or not response.strip():
        return None
    return preview_expression(item, response)


def as_plain(value: Any) -> Any:
    """Engine objects as JSON-like data, for templates that show them field by field."""
    return _as_dict(value)
