"""single, multiple and truefalse items.

multiple: score = max(0, right picks / correct choices - wrong picks / incorrect choices).
Ticking every box therefore earns exactly nothing, and so does ticking at random on average.
(The plain "(right - wrong) / correct" rule would pay 1/3 for ticking all five boxes of an
item with three correct choices; this rule equals it whenever the two groups are the same size.)
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import base_rendering, explanation, shuffled, stable_id, visible_values
from quizzes.engine.result import (
    CORRECT,
    INCORRECT,
    INVALID,
    CheckResult,
    RenderedItem,
    Variant,
    status_for_score,
)
from quizzes.engine.templates import fill

_TRUE_WORDS = {"true", "t", "yes", "1"}
_FALSE_WORDS = {"false", "f", "no", "0"}


def render(item: dict, variant: Variant) -> RenderedItem:
    kind = item.get("kind")
    if kind == "truefalse":
        return base_rendering(item, variant, "truefalse")
    rendered = base_rendering(item, variant, "choice" if kind == "single" else "choices")
    entries = list(item.get("choices") or [])
    if item.get("shuffle", True):
        entries = shuffled(entries, variant.seed, f"choices|{item.get('key')}")
    rendered.choices = [
        {"id": stable_id("c", entry), "text": fill(str(entry.get("text", "")), visible_values(item, variant))}
        for entry in entries
    ]
    return rendered


def check(item: dict, variant: Variant, response: Any) -> CheckResult:
    if item.get("kind") == "truefalse":
        return _check_truefalse(item, variant, response)
    entries = {stable_id("c", entry): entry for entry in item.get("choices") or []}
    correct_ids = [choice_id for choice_id, entry in entries.items() if entry.get("correct")]
    answer_text = _correct_answer(entries, correct_ids, variant)
    if item.get("kind") == "single":
        picked = [response] if isinstance(response, str) and response else None
    elif isinstance(response, list | tuple) and all(isinstance(choice, str) for choice in response):
        picked = list(dict.fromkeys(response))
    else:
        picked = None
    if picked is None or not all(choice in entries for choice in picked):
        return CheckResult(
            INVALID,
            0.0,
            [
                "Pick one of the listed choices."
                if item.get("kind") == "single"
                else "Tick the choices you mean."
            ],
            correct_answer="",
        )
    right = [choice for choice in picked if choice in correct_ids]
    wrong = [choice for choice in picked if choice not in correct_ids]
    incorrect_count = len(entries) - len(correct_ids)
    penalty = len(wrong) / incorrect_count if incorrect_count else 0.0
    score = max(0.0, len(right) / len(correct_ids) - penalty) if correct_ids else 0.0
    feedback = [
        fill(str(entries[choice]["feedback"]), variant.values)
        for choice in picked
        if entries[choice].get("feedback")
    ]
    if item.get("kind") == "multiple" and 0 < score < 1:
        missed = len(correct_ids) - len(right)
        feedback.append(f"{len(right)} right, {len(wrong)} wrong, {missed} correct choice(s) missed.")
    return CheckResult(
        status_for_score(score),
        score,
        feedback,
        correct_answer=answer_text,
        explanation=explanation(item, variant),
        details={"picked": picked, "right": right, "wrong": wrong},
    )


def _correct_answer(entries: dict, correct_ids: list[str], variant: Variant) -> str:
    texts = [fill(str(entries[choice].get("text", "")), variant.values) for choice in correct_ids]
    if len(texts) == 1:
        return texts[0]
    return "\n".join(f"- {text}" for text in texts)


def parse_truefalse(response: Any) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, str):
        word = response.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _check_truefalse(item: dict, variant: Variant, response: Any) -> CheckResult:
    answer = bool(item.get("answer"))
    given = parse_truefalse(response)
    if given is None:
        return CheckResult(INVALID, 0.0, ["Answer true or false."])
    feedback_text = item.get("feedback_true" if given else "feedback_false")
    feedback = [fill(str(feedback_text), variant.values)] if feedback_text else []
    right = given == answer
    return CheckResult(
        CORRECT if right else INCORRECT,
        1.0 if right else 0.0,
        feedback,
        correct_answer="True" if answer else "False",
        explanation=explanation(item, variant),
    )
