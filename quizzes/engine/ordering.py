"""ordering items: score = fraction of adjacent pairs of the correct order that the student
placed in the right relative order (not necessarily adjacent). Since the pairs chain, all of
them are kept only by the exact order, so 1.0 means fully right."""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import base_rendering, explanation, shuffled, stable_id, visible_values
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, status_for_score
from quizzes.engine.templates import fill


def _step_text(entry: Any) -> str:
    return str(entry.get("text", "")) if isinstance(entry, dict) else str(entry)


def render(item: dict, variant: Variant) -> RenderedItem:
    rendered = base_rendering(item, variant, "ordering")
    entries = shuffled(
        list(item.get("steps") or []), variant.seed, f"steps|{item.get('key')}", avoid_identity=True
    )
    rendered.steps = [
        {"id": stable_id("s", entry), "text": fill(_step_text(entry), visible_values(item, variant))}
        for entry in entries
    ]
    return rendered


def check(item: dict, variant: Variant, response: Any) -> CheckResult:
    entries = list(item.get("steps") or [])
    correct_ids = [stable_id("s", entry) for entry in entries]
    correct_answer = "\n".join(
        f"{number}. {fill(_step_text(entry), variant.values)}"
        for number, entry in enumerate(entries, start=1)
    )
    if (
        not isinstance(response, list | tuple)
        or sorted(map(str, response)) != sorted(correct_ids)
        or len(set(response)) != len(response)
    ):
        return CheckResult(INVALID, 0.0, ["Place every step exactly once."])
    position = {step_id: index for index, step_id in enumerate(response)}
    pairs = list(zip(correct_ids, correct_ids[1:], strict=False))
    kept = sum(1 for first, second in pairs if position[first] < position[second])
    score = kept / len(pairs) if pairs else 1.0
    feedback = [] if score >= 1.0 else [f"{kept} of {len(pairs)} consecutive pairs are in the right order."]
    return CheckResult(
        status_for_score(score),
        score,
        feedback,
        correct_answer=correct_answer,
        explanation=explanation(item, variant),
        details={"pairs_in_order": kept, "pairs": len(pairs)},
    )
