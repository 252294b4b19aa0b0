"""single and multiple items in Moodle XML (multichoice) and GIFT (`=right ~wrong`, `~%50%right`).

Multiple-answer items under our rule get +100/n for each right choice and −100/n for each wrong one.
Every other set of fractions is kept as it is: a multiple item then has `scoring: fractions` (Moodle's
sum of the picked fractions, floored at 0) and each choice's `fraction`; a single item keeps the
fraction of each partly right or negative choice. Nothing is re-scored on the way in or out.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, escape_gift, percent, with_feedback
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    answer_feedback,
    answer_fraction,
    element_markdown,
    simple_element,
)
from quizzes.engine.kinds import ItemKind
from quizzes.engine.kinds.choices import FRACTIONS, choice_fraction


def fallback_explanation(item: dict[str, Any]) -> str:
    right = [choice["text"] for choice in item["choices"] if choice.get("correct")]
    return "The correct answer: " + "; ".join(right) if right else ""


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def choices_from_percents(
    texts: list[str], percents: list[float], feedbacks: list[str], *, single: bool
) -> dict[str, Any]:
    """`choices` (and `scoring`) from each answer's percentage, keeping every fraction as it is."""
    correct_count = sum(1 for share in percents if (share >= 99.99 if single else share > 0))
    ours = not single and all(
        _close(share, 100 / correct_count if share > 0 else -100 / correct_count) for share in percents
    )
    choices = []
    for text, share, feedback in zip(texts, percents, feedbacks, strict=True):
        choice: dict[str, Any] = {"text": text}
        correct = share >= 99.99 if single else share > 0
        if correct:
            choice["correct"] = True
        default = (100.0 if correct else 0.0) if single else (100 / correct_count if correct else 0.0)
        if not ours and not _close(share, default):
            choice["fraction"] = round(share / 100, 7)
        if feedback:
            choice["feedback"] = feedback
        choices.append(choice)
    item: dict[str, Any] = {
        "kind": (ItemKind.SINGLE if single else ItemKind.MULTIPLE).value,
        "choices": choices,
    }
    if not single and not ours:
        item["scoring"] = FRACTIONS
    return item


def read_multichoice(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    """Moodle's multichoice: `single` makes a single item, otherwise a multiple one."""
    single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
    shuffle = (question.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
    texts, percents, feedbacks = [], [], []
    for answer in question.findall("answer"):
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        texts.append(element_markdown(answer))
        percents.append(fraction)
        feedbacks.append(answer_feedback(answer))
    return {**choices_from_percents(texts, percents, feedbacks, single=single), "shuffle": shuffle}


def choice_percents(item: dict[str, Any]) -> list[float]:
    """Each choice's percentage as written to Moodle XML and GIFT."""
    choices = item["choices"]
    correct_count = sum(bool(choice.get("correct")) for choice in choices) or 1
    if item["kind"] == ItemKind.SINGLE or item.get("scoring") == FRACTIONS:
        return [choice_fraction(item, choice, correct_count) * 100 for choice in choices]
    # Our right-minus-wrong rule: each right choice +100/n and each wrong one −100/n.
    return [(100.0 if choice.get("correct") else -100.0) / correct_count for choice in choices]


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    choices = item["choices"]
    single = item["kind"] == ItemKind.SINGLE
    children = [
        simple_element("single", "true" if single else "false"),
        simple_element("shuffleanswers", "true" if item.get("shuffle", True) else "false"),
        simple_element("answernumbering", "abc"),
    ]
    for choice, fraction in zip(choices, choice_percents(item), strict=True):
        children.append(answer_element(choice["text"], fraction, choice.get("feedback", "")))
    return MoodleQuestion("multichoice", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    if not item.get("shuffle", True):
        result.notes.append(f"{item['key']}: GIFT cannot keep the choices in order; Moodle will shuffle them")
    answers = []
    for choice, weight in zip(item["choices"], choice_percents(item), strict=True):
        text = escape_gift(choice["text"])
        if item["kind"] == ItemKind.SINGLE and choice.get("correct"):
            marker = "="
        elif item["kind"] == ItemKind.SINGLE and "fraction" not in choice:
            marker = "~"
        else:
            marker = f"~%{percent(weight)}%"
        answers.append(with_feedback(marker + text, choice.get("feedback", "")))
    return GiftQuestion(item["stem"], answers, item["explanation"])
