"""truefalse items in Moodle XML (truefalse) and GIFT (`{T}`, `{FALSE}`)."""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio import moodle_parts
from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, escape_gift
from quizzes.bankio.moodle_parts import MoodleQuestion, QuestionContext
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    return f"The statement is {'true' if item['answer'] else 'false'}."


MOODLE_TYPES = ("truefalse",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    item: dict[str, Any] = {"kind": ItemKind.TRUEFALSE.value}
    for answer in question.findall("answer"):
        fraction = moodle_parts.answer_fraction(answer, context)
        if fraction is None:
            return None
        value = (moodle_parts.text_of_element(answer) or "").strip().lower()
        if value not in ("true", "false"):
            context.problem(f"a true/false answer must be 'true' or 'false', got {value!r}")
            return None
        if fraction >= 99.99:
            item["answer"] = value == "true"
        if feedback := moodle_parts.answer_feedback(answer):
            item[f"feedback_{value}"] = feedback
    if "answer" not in item:
        context.problem("neither answer has fraction 100, so the correct one is unknown")
        return None
    return item


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    children = [
        moodle_parts.answer_element(
            "true", 100.0 if item["answer"] else 0.0, item.get("feedback_true", ""), fmt="moodle_auto_format"
        ),
        moodle_parts.answer_element(
            "false",
            0.0 if item["answer"] else 100.0,
            item.get("feedback_false", ""),
            fmt="moodle_auto_format",
        ),
    ]
    return MoodleQuestion("truefalse", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    letter = "T" if item["answer"] else "F"
    right = item.get("feedback_true" if item["answer"] else "feedback_false", "")
    wrong = item.get("feedback_false" if item["answer"] else "feedback_true", "")
    feedback = f"#{escape_gift(wrong)}#{escape_gift(right)}" if (right or wrong) else ""
    return GiftQuestion(item["stem"], [letter + feedback], item["explanation"])
