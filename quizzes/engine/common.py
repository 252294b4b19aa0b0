"""Pieces every kind shares: filled stem/hints/explanation and stable ids for listed texts."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from quizzes.engine.result import RenderedItem, Variant
from quizzes.engine.templates import fill


def hidden_names(item: dict, variant: Variant) -> set[str]:
    """Values a student must not see before answering: the key, table cells, and any calculator
    extra that happens to equal the key (e.g. `theta` when the answer is the position)."""
    hidden = {"answer"}
    if item.get("kind") == "table":
        from quizzes.engine.tables import cell_names

        hidden.update(cell_names(item))
    answer = variant.values.get("answer")
    if answer is not None:
        hidden.update(
            name
            for name, value in variant.values.items()
            if name not in variant.params and isinstance(value, int | float) and value == answer
        )
    return hidden


def visible_values(item: dict, variant: Variant) -> dict[str, Any]:
    hidden = hidden_names(item, variant)
    return {name: value for name, value in variant.values.items() if name not in hidden}


def base_rendering(item: dict, variant: Variant, input_kind: str) -> RenderedItem:
    """Stem, title and hints filled with the values a student may see (never the key)."""
    values = visible_values(item, variant)
    return RenderedItem(
        key=str(item.get("key", "")),
        kind=str(item.get("kind", "")),
        title=fill(str(item.get("title") or ""), values),
        stem=fill(str(item.get("stem") or ""), values),
        input=input_kind,
        hints=[fill(str(hint), values) for hint in item.get("hints") or []],
    )


def explanation(item: dict, variant: Variant) -> str:
    return fill(str(item.get("explanation") or ""), variant.values)


def stable_id(prefix: str, entry: Any) -> str:
    """An id for a choice or a step: explicit `id`, else a short hash of its (unfilled) text.

    Hashing the text rather than the position keeps ids stable across variants and shuffles
    without telling a curious student where the entry sat in the author's list.
    """
    if isinstance(entry, dict) and entry.get("id"):
        return str(entry["id"])
    text = entry.get("text", "") if isinstance(entry, dict) else entry
    return f"{prefix}-{hashlib.sha256(str(text).strip().encode()).hexdigest()[:8]}"


def shuffled(entries: list, seed: int, salt: str, avoid_identity: bool = False) -> list:
    """A seeded permutation; with `avoid_identity`, never the original order (when n >= 2)."""
    order = list(range(len(entries)))
    random.Random(f"{salt}|{seed}").shuffle(order)
    if avoid_identity and len(order) >= 2 and order == sorted(order):
        order = order[1:] + order[:1]
    return [entries[index] for index in order]


def misconception_label(spec: dict, index: int) -> str:
    """What `CheckResult.misconception` reports: the author's `id`, else the feedback text."""
    return str(spec.get("id") or spec.get("feedback") or f"misconception-{index + 1}")
