"""What single and multiple items share: a list of choices, shuffled per variant, picked by id.

multiple: score = max(0, right picks / correct choices - wrong picks / incorrect choices).
Ticking every box therefore earns exactly nothing, and so does ticking at random on average.
(The plain "(right - wrong) / correct" rule would pay 1/3 for ticking all five boxes of an
item with three correct choices; this rule equals it whenever the two groups are the same size.)

multiple with `scoring: fractions` (Moodle's rule): every choice has a `fraction` (-1..1; a correct
choice defaults to 1/number of correct choices, a wrong one to 0) and the score is the sum of the picked
choices' fractions, floored at 0. The positive fractions add up to 1.
single: a wrong choice may carry a `fraction` (-1..1) for partial credit; the correct one is worth 1.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import shuffled, stable_id
from quizzes.engine.kinds.base import BaseKind, ItemDict, ItemKind
from quizzes.engine.kinds.checks import is_text
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant
from quizzes.engine.templates import fill

CHOICE_FIELDS = frozenset({"text", "correct", "feedback", "id", "fraction"})
FRACTIONS = "fractions"  # the `scoring` value for Moodle's sum-of-fractions rule


def _is_fraction(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -1 <= value <= 1


def choice_fraction(item: dict[str, Any], choice: dict[str, Any], correct_count: int) -> float:
    """A choice's worth under the item's rule: its `fraction`, else 1/correct for a correct one, else 0."""
    if "fraction" in choice:
        return float(choice["fraction"])
    if item.get("kind") == ItemKind.SINGLE:
        return 1.0 if choice.get("correct") else 0.0
    return 1.0 / max(1, correct_count) if choice.get("correct") else 0.0


class ChoiceKind(BaseKind):
    """single and multiple; subclasses say how many picks a response holds."""

    fields = frozenset({"choices", "shuffle", "scoring"})
    invalid_message = "Tick the choices you mean."

    def problems(self, item: ItemDict) -> list[str]:
        choices = item.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            return ["choices: need a list of at least two choices"]
        problems = []
        for index, choice in enumerate(choices):
            if not isinstance(choice, dict) or not is_text(choice.get("text")):
                problems.append(f"choices[{index}]: needs a `text`")
                continue
            if "correct" in choice and not isinstance(choice["correct"], bool):
                problems.append(f"choices[{index}].correct: must be true or false")
            if "feedback" in choice and not isinstance(choice["feedback"], str):
                problems.append(f"choices[{index}].feedback: must be text")
            if "fraction" in choice and not _is_fraction(choice["fraction"]):
                problems.append(f"choices[{index}].fraction: must be a number from -1 to 1")
            extra = sorted(set(choice) - CHOICE_FIELDS)
            problems += [f"choices[{index}].{field}: unknown field" for field in extra]
        valid = [choice for choice in choices if isinstance(choice, dict)]
        texts = [str(choice.get("text", "")).strip() for choice in valid]
        if len(set(texts)) != len(texts):
            problems.append("choices: two choices have the same text")
        ids = [str(choice["id"]) for choice in valid if choice.get("id")]
        if len(set(ids)) != len(ids):
            problems.append("choices: two choices have the same id")
        problems += self.correct_count_problems(sum(1 for choice in valid if choice.get("correct") is True))
        if "shuffle" in item and not isinstance(item["shuffle"], bool):
            problems.append("shuffle: must be true or false")
        if not problems:
            problems += self.fraction_problems(item, valid)
        return problems

    def fraction_problems(self, item: ItemDict, choices: list[dict[str, Any]]) -> list[str]:
        """Where `fraction` and `scoring` may appear, and what they must add up to."""
        scoring = item.get("scoring")
        if self.kind == ItemKind.SINGLE:
            problems = (
                ["scoring: only a multiple-choice item has a scoring rule"] if "scoring" in item else []
            )
            for index, choice in enumerate(choices):
                if choice.get("correct") and choice.get("fraction", 1) != 1:
                    problems.append(f"choices[{index}].fraction: the correct choice is worth 1")
            return problems
        if scoring is None:
            return [
                f"choices[{index}].fraction: per-choice fractions need `scoring: {FRACTIONS}`"
                for index, choice in enumerate(choices)
                if "fraction" in choice
            ]
        if scoring != FRACTIONS:
            return [f"scoring: must be {FRACTIONS!r} (or left out for right-minus-wrong), not {scoring!r}"]
        problems = []
        correct_count = sum(1 for choice in choices if choice.get("correct") is True)
        for index, choice in enumerate(choices):
            positive = choice_fraction(item, choice, correct_count) > 0
            if positive != bool(choice.get("correct")):
                problems.append(
                    f"choices[{index}]: a choice is correct exactly when its fraction is positive"
                )
        total = sum(max(0.0, choice_fraction(item, choice, correct_count)) for choice in choices)
        if abs(total - 1) > 1e-3:
            problems.append(f"choices: the positive fractions add up to {total:g}, not 1")
        return problems

    def correct_count_problems(self, correct: int) -> list[str]:
        return []

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        entries = list(item.get("choices") or [])
        if item.get("shuffle", True):
            entries = shuffled(entries, variant.seed, f"choices|{item.get('key')}")
        values = self.visible_values(item, variant)
        rendered.choices = [
            {"id": stable_id("c", entry), "text": fill(str(entry.get("text", "")), values)}
            for entry in entries
        ]
        return rendered

    def picked(self, response: Any) -> list[str] | None:
        """The picked choice ids, or None when the response is not a pick of this kind."""
        raise NotImplementedError

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        entries = {stable_id("c", entry): entry for entry in item.get("choices") or []}
        correct_ids = [choice_id for choice_id, entry in entries.items() if entry.get("correct")]
        answer_text = _correct_answer(entries, correct_ids, variant)
        picked = self.picked(response)
        if picked is None or not all(choice in entries for choice in picked):
            return CheckResult(INVALID, 0.0, [self.invalid_message], correct_answer="")
        right = [choice for choice in picked if choice in correct_ids]
        wrong = [choice for choice in picked if choice not in correct_ids]
        if self.kind == ItemKind.SINGLE or item.get("scoring") == FRACTIONS:
            worth = sum(choice_fraction(item, entries[choice], len(correct_ids)) for choice in picked)
            score = max(0.0, worth)
        else:
            incorrect_count = len(entries) - len(correct_ids)
            penalty = len(wrong) / incorrect_count if incorrect_count else 0.0
            score = max(0.0, len(right) / len(correct_ids) - penalty) if correct_ids else 0.0
        feedback = [
            fill(str(entries[choice]["feedback"]), variant.values)
            for choice in picked
            if entries[choice].get("feedback")
        ]
        if self.kind == ItemKind.MULTIPLE and 0 < score < 1:
            missed = len(correct_ids) - len(right)
            feedback.append(f"{len(right)} right, {len(wrong)} wrong, {missed} correct choice(s) missed.")
        details = {"picked": picked, "right": right, "wrong": wrong}
        return self.result_for_score(item, variant, score, feedback, answer_text, details)

    def correct_ids(self, item: ItemDict) -> list[str]:
        return [stable_id("c", choice) for choice in item["choices"] if choice.get("correct")]


def _correct_answer(entries: dict[str, Any], correct_ids: list[str], variant: Variant) -> str:
    texts = [fill(str(entries[choice].get("text", "")), variant.values) for choice in correct_ids]
    if len(texts) == 1:
        return texts[0]
    return "\n".join(f"- {text}" for text in texts)
