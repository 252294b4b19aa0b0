"""Pieces every kind shares: hidden values, the filled explanation, stable ids and seeded shuffles."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from typing import Any

from quizzes.engine.result import Variant
from quizzes.engine.templates import fill


def hidden_names(item: dict[str, Any], variant: Variant, key_cells: Iterable[str] = ()) -> set[str]:
    """Values a student must not see before answering: the key, the kind's other key values (table
    cells), and any calculator extra that happens to equal the key (e.g. `theta` when the answer is
    the position)."""
    hidden = {"answer", *key_cells}
    answer = variant.values.get("answer")
    if answer is not None:
        hidden.update(
            name
            for name, value in variant.values.items()
            if name not in variant.params and isinstance(value, int | float) and value == answer
        )
    return hidden


def explanation(item: dict[str, Any], variant: Variant) -> str:
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


def shuffled(entries: list[Any], seed: int, salt: str, avoid_identity: bool = False) -> list[Any]:
    """A seeded permutation; with `avoid_identity`, never the original order (when n >= 2)."""
    order = list(range(len(entries)))
    random.Random(f"{salt}|{seed}").shuffle(order)
    if avoid_identity and len(order) >= 2 and order == sorted(order):
        order = order[1:] + order[:1]
    return [entries[index] for index in order]


def misconception_label(spec: dict[str, Any], index: int) -> str:
    """What `CheckResult.misconception` reports: the author's `id`, else the feedback text."""
    return str(spec.get("id") or spec.get("feedback") or f"misconception-{index + 1}")
