"""numeric items in Moodle XML (numerical; numeric shortanswer on import) and GIFT (`{#0.02:0.001}`).

Both formats know only an absolute ± tolerance (`tolerances.py` converts ours); misconceptions become
0% answers with feedback. `calculation` reuses the answer lists for its one fixed variant.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, with_feedback
from quizzes.bankio.kinds.base import KindFormats
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    answer_feedback,
    answer_fraction,
    parse_float,
    safe_float,
    simple_element,
    text_of_element,
)
from quizzes.bankio.tolerances import absolute_tolerance, short_number
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    return f"The correct answer is {item['answer']:g}."


def _read_numeric_answers(
    question: ET.Element, context: QuestionContext, qtype: str
) -> dict[str, Any] | None:
    """Shared by numerical and shortanswer: the 100% answer is the key, 0% answers with feedback are misconceptions."""
    key: float | None = None
    tolerance = 0.0
    misconceptions = []
    for answer in question.findall("answer"):
        text = (text_of_element(answer) or "").strip()
        if text == "*":  # Moodle's catch-all "any other answer": our per-answer feedback has no wildcard
            context.note("the '*' catch-all answer was dropped")
            continue
        value = parse_float(text)
        if value is None:
            context.skip(qtype, f"answer {text!r} is not a number; only numeric short answers are supported")
            return None
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        if fraction >= 99.99 and key is None:
            key = value
            tolerance = parse_float((answer.findtext("tolerance") or "0").strip()) or 0.0
        elif fraction <= 0 and (feedback := answer_feedback(answer)):
            misconceptions.append({"answer": value, "feedback": feedback})
        elif fraction < 99.99:
            context.note(f"partial credit ({fraction:g}%) for answer {text} is not supported and was dropped")
    if key is None:
        context.problem("no answer has fraction 100, so the key is unknown")
        return None
    item: dict[str, Any] = {
        "kind": ItemKind.NUMERIC.value,
        "answer": key,
        "tolerance": {"mode": "absolute", "value": abs(tolerance)},
    }
    unit = question.find("units/unit")
    if unit is not None and safe_float(unit.findtext("multiplier"), 1.0) == 1.0:
        item["units"] = (unit.findtext("unit_name") or "").strip()
    if misconceptions:
        item["misconceptions"] = misconceptions
    return item


def read_numerical(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    return _read_numeric_answers(question, context, "numerical")


def read_shortanswer(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    return _read_numeric_answers(question, context, "shortanswer")


def numerical_children(
    answer: float, tolerance: float, misconceptions: list[dict[str, Any]], units: str
) -> list[ET.Element]:
    """The <answer>s (key, then misconceptions at 0%) and <units> of a Moodle numerical question."""
    children = []
    key = answer_element(short_number(answer), 100.0, fmt="moodle_auto_format")
    key.append(simple_element("tolerance", short_number(tolerance)))
    children.append(key)
    for misconception in misconceptions:
        wrong = answer_element(
            short_number(misconception["answer"]), 0.0, misconception.get("feedback", ""), fmt=None
        )
        wrong.append(simple_element("tolerance", "0"))
        children.append(wrong)
    if units:
        unit_list = ET.Element("units")
        unit = ET.SubElement(unit_list, "unit")
        unit.append(simple_element("multiplier", "1"))
        unit.append(simple_element("unit_name", units))
        children.append(unit_list)
    return children


def gift_numeric_answers(answer: float, tolerance: float, misconceptions: list[dict[str, Any]]) -> list[str]:
    """A GIFT numeric answer block: `#`, the key with its ± tolerance, then misconceptions at 0%."""
    answers = [f"={short_number(answer)}:{short_number(tolerance)}"]
    for misconception in misconceptions:
        text = f"=%0%{short_number(float(misconception['answer']))}:0"
        answers.append(with_feedback(text, misconception.get("feedback", "")))
    return ["#", *answers]


def _numeric_misconceptions(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in item.get("misconceptions", []) if isinstance(m.get("answer"), int | float)]


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    children = numerical_children(answer, tolerance, _numeric_misconceptions(item), item.get("units", ""))
    return MoodleQuestion("numerical", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    answers = gift_numeric_answers(answer, tolerance, _numeric_misconceptions(item))
    return GiftQuestion(item["stem"], answers, item["explanation"])


FORMATS = KindFormats(
    kind=ItemKind.NUMERIC,
    fallback_explanation=fallback_explanation,
    # Moodle's shortanswer is read by `shortanswer.py`, which hands all-number ones to read_shortanswer.
    moodle_readers={"numerical": read_numerical},
    moodle_writer=write_moodle,
    gift_writer=write_gift,
)
