"""single and multiple items in Moodle XML (multichoice) and GIFT (`=right ~wrong`, `~%50%right`).

Multiple-answer items get +100/n for each right choice and −100/n for each wrong one, exactly our
right-minus-wrong score.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, escape_gift, percent, with_feedback
from quizzes.bankio.kinds.base import KindFormats, MoodleReader
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    answer_feedback,
    answer_fraction,
    element_markdown,
    safe_float,
    simple_element,
)
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    right = [choice["text"] for choice in item["choices"] if choice.get("correct")]
    return "The correct answer: " + "; ".join(right) if right else ""


def read_multichoice(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    """Moodle's multichoice: one right answer makes a single item, several a multiple one."""
    single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
    shuffle = (question.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
    choices = []
    for answer in question.findall("answer"):
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        correct = fraction >= 99.99 if single else fraction > 0
        if single and 0 < fraction < 99.99:
            context.note(f"partial credit ({fraction:g}%) for a choice is not supported; it counts as wrong")
        choice: dict[str, Any] = {"text": element_markdown(answer)}
        if correct:
            choice["correct"] = True
        if feedback := answer_feedback(answer):
            choice["feedback"] = feedback
        choices.append(choice)
    positive = {round(safe_float(a.get("fraction")), 2) for a in question.findall("answer")} - {0.0}
    if not single and len({value for value in positive if value > 0}) > 1:
        context.note("unequal per-choice weights became equal ones (right picks minus wrong picks)")
    kind = ItemKind.SINGLE if single else ItemKind.MULTIPLE
    return {"kind": kind.value, "choices": choices, "shuffle": shuffle}


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    choices = item["choices"]
    correct_count = sum(bool(choice.get("correct")) for choice in choices) or 1
    single = item["kind"] == ItemKind.SINGLE
    children = [
        simple_element("single", "true" if single else "false"),
        simple_element("shuffleanswers", "true" if item.get("shuffle", True) else "false"),
        simple_element("answernumbering", "abc"),
    ]
    for choice in choices:
        if single:
            fraction = 100.0 if choice.get("correct") else 0.0
        else:
            # Our score is (right − wrong) / correct_count, floored at 0: exactly Moodle's sum of
            # fractions with each right choice worth +100/n and each wrong one −100/n.
            fraction = (100.0 if choice.get("correct") else -100.0) / correct_count
        children.append(answer_element(choice["text"], fraction, choice.get("feedback", "")))
    return MoodleQuestion("multichoice", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    correct_count = sum(bool(choice.get("correct")) for choice in item["choices"]) or 1
    answers = []
    for choice in item["choices"]:
        text = escape_gift(choice["text"])
        if item["kind"] == ItemKind.SINGLE:
            marker = "=" if choice.get("correct") else "~"
        else:
            # Equal weights reproduce our right-minus-wrong score, as in the Moodle XML export.
            weight = (100 if choice.get("correct") else -100) / correct_count
            marker = f"~%{percent(weight)}%"
        answers.append(with_feedback(marker + text, choice.get("feedback", "")))
    return GiftQuestion(item["stem"], answers, item["explanation"])


def choice_formats(kind: ItemKind, moodle_readers: dict[str, MoodleReader]) -> KindFormats:
    """single and multiple map alike; only one of them reads Moodle's multichoice."""
    return KindFormats(kind, fallback_explanation, moodle_readers, write_moodle, write_gift)
