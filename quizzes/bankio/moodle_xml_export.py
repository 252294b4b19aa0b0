"""Our items as Moodle XML, where Moodle has a matching question type.

Text is written with format="markdown" (which Moodle supports), so nothing is lost to an HTML
conversion; the item key goes into <idnumber> and topics into <tags>, which our import reads back.
Multiple-answer items get +100/n for each right choice and −100/n for each wrong one, exactly our
right-minus-wrong score. Calculation items become one fixed numerical variant; symbolic and table
items have no Moodle equivalent and are reported in `ExportResult.skipped` (and as XML comments).
"""

import xml.etree.ElementTree as ET
from typing import NamedTuple

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.fixed_variant import VariantUnavailable, fixed_variant
from quizzes.bankio.tolerances import absolute_tolerance, short_number

# Moodle offers a fixed list of grade percentages (100/n for n = 1..10, 20 ...) and matches an imported
# fraction against it with a small tolerance; five decimals (33.33333) are what its own export writes.
_FRACTION_DIGITS = 5


class _Question(NamedTuple):
    qtype: str
    stem: str
    explanation: str
    children: list[ET.Element]  # the type-specific elements (answers, options)


def dump_moodle_xml(*, slug: str, name: str, description: str = "", items: list[dict]) -> ExportResult:
    """A Moodle XML <quiz> for our items. Symbolic and table items cannot be expressed and are reported."""
    result = ExportResult(text="")
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", type="category")
    _text_child(category, "category", f"$course$/top/{_category_safe(name or slug)}", fmt=None)
    _text_child(category, "info", description, fmt="markdown")

    for item in items:
        writer = _WRITERS.get(item["kind"])
        body = writer(item, result) if writer else None
        if body is None:  # no writer, or the writer reported why it could not write this item
            if writer is None:
                reason = "Moodle XML has no equivalent question type"
                result.skipped.append(Skipped(item["key"], item["kind"], reason))
            continue
        question = ET.Element("question", type=body.qtype)
        _text_child(question, "name", item.get("title") or item["key"], fmt=None)
        _text_child(question, "questiontext", body.stem, fmt="markdown")
        _text_child(question, "generalfeedback", body.explanation, fmt="markdown")
        ET.SubElement(question, "defaultgrade").text = "1"
        ET.SubElement(question, "penalty").text = "0.3333333"
        ET.SubElement(question, "hidden").text = "0"
        ET.SubElement(question, "idnumber").text = item["key"]
        question.extend(body.children)
        for hint in item.get("hints", []):
            _text_child(question, "hint", hint, fmt="markdown")
        if item.get("topics"):
            tags = ET.SubElement(question, "tags")
            for topic in item["topics"]:
                _text_child(tags, "tag", topic, fmt=None)
        quiz.append(ET.Comment(f" {_comment_safe(item['key'])} ({item['kind']}) "))
        quiz.append(question)

    for skipped in result.skipped:
        quiz.append(ET.Comment(f" not exported: {_comment_safe(str(skipped))} "))
    if any(item.get("difficulty") is not None for item in items):
        result.notes.append("Moodle XML has no difficulty field; difficulties were not exported")
    ET.indent(quiz, space="  ")
    result.text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
    return result


def _text_child(parent: ET.Element, tag: str, text: str, *, fmt: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt:
        element.set("format", fmt)
    ET.SubElement(element, "text").text = text
    return element


def _comment_safe(text: str) -> str:
    return text.replace("--", "- -")  # "--" may not appear inside an XML comment


def _category_safe(text: str) -> str:
    return text.replace("/", "-")  # "/" separates category levels


def _fraction_text(value: float) -> str:
    return f"{value:.{_FRACTION_DIGITS}f}".rstrip("0").rstrip(".") or "0"


def _answer(
    text: str, fraction: float, feedback: str | None = "", *, fmt: str | None = "markdown"
) -> ET.Element:
    """An <answer>; `feedback=None` leaves out the <feedback> element (ordering steps have none)."""
    answer = ET.Element("answer", fraction=_fraction_text(fraction))
    if fmt:
        answer.set("format", fmt)
    ET.SubElement(answer, "text").text = text
    if feedback is not None:
        feedback_element = ET.SubElement(answer, "feedback", format="markdown")
        ET.SubElement(feedback_element, "text").text = feedback
    return answer


def _simple(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def _write_choices(item: dict, result: ExportResult) -> _Question:
    choices = item["choices"]
    correct_count = sum(bool(choice.get("correct")) for choice in choices) or 1
    single = item["kind"] == "single"
    children = [
        _simple("single", "true" if single else "false"),
        _simple("shuffleanswers", "true" if item.get("shuffle", True) else "false"),
        _simple("answernumbering", "abc"),
    ]
    for choice in choices:
        if single:
            fraction = 100.0 if choice.get("correct") else 0.0
        else:
            # Our score is (right − wrong) / correct_count, floored at 0: exactly Moodle's sum of
            # fractions with each right choice worth +100/n and each wrong one −100/n.
            fraction = (100.0 if choice.get("correct") else -100.0) / correct_count
        children.append(_answer(choice["text"], fraction, choice.get("feedback", "")))
    return _Question("multichoice", item["stem"], item["explanation"], children)


def _write_truefalse(item: dict, result: ExportResult) -> _Question:
    children = [
        _answer(
            "true", 100.0 if item["answer"] else 0.0, item.get("feedback_true", ""), fmt="moodle_auto_format"
        ),
        _answer(
            "false",
            0.0 if item["answer"] else 100.0,
            item.get("feedback_false", ""),
            fmt="moodle_auto_format",
        ),
    ]
    return _Question("truefalse", item["stem"], item["explanation"], children)


def _write_ordering(item: dict, result: ExportResult) -> _Question:
    children = [
        _simple("layouttype", "VERTICAL"),
        _simple("selecttype", "ALL"),
        _simple("selectcount", "0"),
        _simple("gradingtype", "RELATIVE_NEXT_EXCLUDE_LAST"),  # closest to our adjacent-pairs score
        _simple("showgrading", "SHOW"),
    ]
    # qtype_ordering keeps each step's correct position in the fraction attribute.
    children += [_answer(step, position, None) for position, step in enumerate(item["steps"], start=1)]
    return _Question("ordering", item["stem"], item["explanation"], children)


def _numerical_children(answer: float, tolerance: float, misconceptions: list[dict], units: str) -> list:
    children = []
    key = _answer(short_number(answer), 100.0, fmt="moodle_auto_format")
    key.append(_simple("tolerance", short_number(tolerance)))
    children.append(key)
    for misconception in misconceptions:
        wrong = _answer(
            short_number(misconception["answer"]), 0.0, misconception.get("feedback", ""), fmt=None
        )
        wrong.append(_simple("tolerance", "0"))
        children.append(wrong)
    if units:
        unit_list = ET.Element("units")
        unit = ET.SubElement(unit_list, "unit")
        unit.append(_simple("multiplier", "1"))
        unit.append(_simple("unit_name", units))
        children.append(unit_list)
    return children


def _write_numeric(item: dict, result: ExportResult) -> _Question:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    misconceptions = [m for m in item.get("misconceptions", []) if isinstance(m.get("answer"), int | float)]
    children = _numerical_children(answer, tolerance, misconceptions, item.get("units", ""))
    return _Question("numerical", item["stem"], item["explanation"], children)


def _write_calculation(item: dict, result: ExportResult) -> _Question | None:
    """One fixed variant as a numerical question: Moodle's calculated type works too differently."""
    try:
        variant = fixed_variant(item)
    except VariantUnavailable as error:
        result.skipped.append(Skipped(item["key"], "calculation", str(error)))
        return None
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    result.notes.append(f"{item['key']}: exported as one fixed variant ({variant.params})")
    children = _numerical_children(variant.answer, tolerance, [], item.get("units", ""))
    return _Question("numerical", variant.stem, variant.explanation, children)


_WRITERS = {
    "single": _write_choices,
    "multiple": _write_choices,
    "truefalse": _write_truefalse,
    "ordering": _write_ordering,
    "numeric": _write_numeric,
    "calculation": _write_calculation,
}
