"""Drawing a variant with the item kind's values hook, and rebuilding stored ones."""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.registry import find_handler
from quizzes.engine.result import Variant
from quizzes.engine.templates import ValuesHook, draw, plain_values


def _values_hook(item: dict[str, Any]) -> ValuesHook:
    handler = find_handler(item.get("kind"))
    return handler.values if handler is not None else plain_values


def draw_variant(item: dict[str, Any], seed: int) -> Variant:
    """The variant for `seed`: same seed, same variant. Raises VariantError if none can be drawn."""
    return draw(item, seed, _values_hook(item))


def rebuild_variant(item: dict[str, Any], variant: Variant | dict[str, Any] | None) -> Variant:
    """Accept a Variant, its dict form, or None (untemplated items: seed 0)."""
    if isinstance(variant, Variant):
        built = variant
    elif isinstance(variant, dict):
        built = Variant.from_dict(variant)
    elif variant is None:
        return draw_variant(item, 0)
    else:
        raise TypeError("variant must be a Variant, its dict form, or None")
    handler = find_handler(item.get("kind"))
    if handler is not None and not handler.has_key_values(item, built):
        # Stored with parameters only, or before the item was edited: recompute from the parameters.
        values, misconception_answers = handler.values(item, built.params)
        built = Variant(built.seed, built.params, values, misconception_answers)
    return built
