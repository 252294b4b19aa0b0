"""Question settings every kind shares, kept in the item's spec beside its kind-specific fields.

    weight: 2              # the item's default grade: its weight in an attempt's score (default 1)
    penalty: 0.3333333     # Moodle's penalty per retry, kept for export (Descent gives one try per item)
    hidden: true           # kept in the bank and exported, but never drawn into a quiz
    combined_feedback:     # shown after the answer, by the verdict (Moodle's combined feedback)
      correct: Well done.
      partial: Some of it.
      incorrect: Read the section on momentum again.
    category: [Optimizers, Momentum]   # the item's place in the bank's category tree

Each is optional; an item without them behaves as before.
"""

from __future__ import annotations

import math
from typing import Any

from quizzes.engine.result import CORRECT, INCORRECT, PARTIAL, Status

SETTINGS_FIELDS = frozenset({"weight", "penalty", "hidden", "combined_feedback", "category"})
# The verdicts combined feedback is keyed by, and the Moodle element each one maps to.
COMBINED_FEEDBACK_KEYS = ("correct", "partial", "incorrect")
MAX_WEIGHT = 1000.0
MAX_CATEGORY_DEPTH = 20
MAX_CATEGORY_NAME = 255
_FEEDBACK_FOR_STATUS = {CORRECT: "correct", PARTIAL: "partial", INCORRECT: "incorrect"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def settings_problems(item: dict[str, Any]) -> list[str]:
    """Every problem of the shared settings, as "field: problem"."""
    problems = []
    if "weight" in item and (not _is_number(item["weight"]) or not 0 <= item["weight"] <= MAX_WEIGHT):
        problems.append(f"weight: must be a number from 0 to {MAX_WEIGHT:g}")
    if "penalty" in item and (not _is_number(item["penalty"]) or not 0 <= item["penalty"] <= 1):
        problems.append("penalty: must be a number from 0 to 1")
    if "hidden" in item and not isinstance(item["hidden"], bool):
        problems.append("hidden: must be true or false")
    if "combined_feedback" in item:
        feedback = item["combined_feedback"]
        if not isinstance(feedback, dict):
            problems.append("combined_feedback: must be a mapping of correct, partial and incorrect texts")
        else:
            for name, text in feedback.items():
                if name not in COMBINED_FEEDBACK_KEYS:
                    problems.append(
                        f"combined_feedback.{name}: unknown; use {', '.join(COMBINED_FEEDBACK_KEYS)}"
                    )
                elif not isinstance(text, str):
                    problems.append(f"combined_feedback.{name}: must be text")
    if "category" in item:
        problems += category_problems(item["category"], "category")
    return problems


def category_problems(path: Any, where: str) -> list[str]:
    if not isinstance(path, list) or not path:
        return [f"{where}: must be a list of category names, outermost first"]
    if len(path) > MAX_CATEGORY_DEPTH:
        return [f"{where}: at most {MAX_CATEGORY_DEPTH} levels"]
    for index, name in enumerate(path):
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_CATEGORY_NAME:
            return [f"{where}[{index}]: must be a non-empty name of at most {MAX_CATEGORY_NAME} characters"]
    return []


def item_weight(item: dict[str, Any]) -> float:
    """The item's weight in an attempt's score: its `weight`, else 1."""
    weight = item.get("weight", 1.0)
    return float(weight) if _is_number(weight) and weight >= 0 else 1.0


def combined_feedback(item: dict[str, Any], status: Status | str) -> str:
    """The item's combined feedback for a verdict, or "" (an invalid response gets none)."""
    feedback = item.get("combined_feedback")
    name = _FEEDBACK_FOR_STATUS.get(Status(status)) if status in tuple(Status) else None
    if not isinstance(feedback, dict) or name is None:
        return ""
    text = feedback.get(name, "")
    return text if isinstance(text, str) else ""


def weighted_mean(scored: list[tuple[float | None, float]]) -> float:
    """Σ score·weight / Σ weight over (score, weight) pairs; a missing score counts 0.

    When every weight is 0 (all items marked as practice) the plain mean is used, so a fully right
    attempt never scores 0 only because no item carried weight.
    """
    if not scored:
        return 0.0
    total = sum(weight for _, weight in scored)
    if total <= 0:
        return sum(score or 0.0 for score, _ in scored) / len(scored)
    return sum((score or 0.0) * weight for score, weight in scored) / total
