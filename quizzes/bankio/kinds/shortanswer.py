"""shortanswer items in Moodle XML (shortanswer) and GIFT (`{=RMSProp =%50%AdaGrad#feedback}`).

A Moodle shortanswer whose answers are all numbers still becomes a numeric item (`numeric.py`), as
before; any other becomes a shortanswer item with every answer, fraction and feedback kept, `usecase`
as `case_sensitive`, and `*` kept as the wildcard both sides share. Moodle offers a fixed list of
grade percentages; a fraction outside it is written anyway and reported. GIFT cannot say that case
matters (Moodle imports GIFT short answers case-insensitive): such an item is written and reported.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, escape_gift, percent, with_feedback
from quizzes.bankio.kinds import numeric
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    answer_feedback,
    answer_fraction,
    parse_float,
    simple_element,
    text_of_element,
)
from quizzes.bankio.tolerances import percent_in_range
from quizzes.engine.kinds import ItemKind

# The grade percentages Moodle's question editor offers (and its importer matches fractions against).
MOODLE_GRADES = (
    100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
    11.11111, 10, 5, 0,
)  # fmt: skip


def fallback_explanation(item: dict[str, Any]) -> str:
    right = [str(answer["text"]) for answer in item["answers"] if answer.get("fraction", 1) >= 1]
    return "Accepted answers: " + "; ".join(right) if right else ""


def accepted_answer(text: str, percent: float, feedback: str) -> dict[str, Any]:
    """An `answers` entry: its fraction only when below 1, its feedback only when there is some."""
    entry: dict[str, Any] = {"text": text}
    if percent < 100:
        entry["fraction"] = round(percent / 100, 7)
    if feedback:
        entry["feedback"] = feedback
    return entry


def on_moodle_scale(fraction: float) -> bool:
    return any(abs(fraction * 100 - grade) < 0.001 for grade in MOODLE_GRADES)


MOODLE_TYPES = ("shortanswer",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    texts = [(text_of_element(answer) or "").strip() for answer in question.findall("answer")]
    if texts and all(text == "*" or parse_float(text) is not None for text in texts):
        return numeric.read_shortanswer(question, context)
    answers = []
    for answer in question.findall("answer"):
        text = (text_of_element(answer) or "").strip()
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        if not text:
            context.note(f"an empty answer (fraction {fraction:g}%) was left out: it can never match")
            continue
        fraction = percent_in_range(fraction, f"answer {text!r}: fraction", context.note)
        answers.append(accepted_answer(text, fraction, answer_feedback(answer)))
    item: dict[str, Any] = {"kind": ItemKind.SHORTANSWER.value, "answers": answers}
    usecase = (question.findtext("usecase") or "0").strip().lower()
    if usecase in ("1", "true"):
        item["case_sensitive"] = True
    return item


def _numbers_only_note(item: dict[str, Any], result: ExportResult) -> None:
    if all(parse_float(str(answer["text"]).strip()) is not None for answer in item["answers"]):
        result.notes.append(
            f"{item['key']}: every accepted answer is a number, so an import reads it back as a numeric item"
        )


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    _numbers_only_note(item, result)
    children = [simple_element("usecase", "1" if item.get("case_sensitive") else "0")]
    for answer in item["answers"]:
        fraction = float(answer.get("fraction", 1.0))
        if not on_moodle_scale(fraction):
            result.notes.append(
                f"{item['key']}: answer {answer['text']!r} is worth {fraction * 100:g}%, which Moodle's "
                "grade list does not offer; Moodle may refuse or round it"
            )
        children.append(
            answer_element(
                answer["text"], fraction * 100, answer.get("feedback", ""), fmt="moodle_auto_format"
            )
        )
    return MoodleQuestion("shortanswer", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    _numbers_only_note(item, result)
    if item.get("case_sensitive"):
        result.notes.append(
            f"{item['key']}: GIFT cannot mark a short answer case-sensitive; Moodle will ignore case"
        )
    answers = []
    for answer in item["answers"]:
        fraction = float(answer.get("fraction", 1.0))
        weight = "" if fraction >= 1 else f"%{percent(fraction * 100)}%"
        answers.append(with_feedback(f"={weight}{escape_gift(answer['text'])}", answer.get("feedback", "")))
    return GiftQuestion(item["stem"], answers, item["explanation"])
