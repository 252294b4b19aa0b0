"""numeric items in Moodle XML (numerical; numeric shortanswer on import) and GIFT (`{#0.02:0.001}`).

Both formats know only an absolute ± tolerance (`tolerances.py` converts ours). The key's feedback is
`answer_feedback`; every other answer is a misconception entry with its own value, fraction, tolerance
(when it differs from the key's) and feedback, so several answers, partial credit and a second fully
correct answer all survive. Moodle's units and unit grading are `units` (one plain unit) or
`unit_options` (`quizzes/engine/units.py`); GIFT holds no units. `calculation` reuses the answer lists
for its one fixed variant.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion, percent, with_feedback
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
from quizzes.bankio.tolerances import absolute_tolerance, percent_in_range, short_number
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    return f"The correct answer is {item['answer']:g}."


def graded_answer(
    value: float, fraction: float, tolerance: float, key_tolerance: float, feedback: str
) -> dict[str, Any]:
    """A non-key answer as a misconception entry: own tolerance and fraction only where they differ."""
    entry: dict[str, Any] = {"answer": value}
    if fraction > 0:
        entry["fraction"] = round(fraction / 100, 7)
    if abs(tolerance - key_tolerance) > 1e-12:
        entry["tolerance"] = {"mode": "absolute", "value": abs(tolerance)}
    if feedback:
        entry["feedback"] = feedback
    return entry


def keep_reachable(key: float, tolerance: float, answers: list[dict[str, Any]], note) -> list[dict[str, Any]]:
    """The answers the key's tolerance does not already cover (those could never be reached)."""
    kept = []
    for entry in answers:
        if abs(entry["answer"] - key) <= tolerance:
            note(
                f"answer {entry['answer']:g} lies within the key's tolerance, so it can never match; left out"
            )
        else:
            kept.append(entry)
    return kept


def _read_numeric_answers(
    question: ET.Element, context: QuestionContext, qtype: str
) -> dict[str, Any] | None:
    """Shared by numerical and shortanswer: the first 100% answer is the key (its feedback the
    answer_feedback); every other answer keeps its value, tolerance, fraction and feedback."""
    key: float | None = None
    tolerance = 0.0
    key_feedback = ""
    others: list[tuple[float, float, float, str]] = []
    for answer in question.findall("answer"):
        text = (text_of_element(answer) or "").strip()
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        if text == "*":  # Moodle's catch-all "any other answer": a numeric item has no wildcard
            if fraction > 0 or answer_feedback(answer):
                context.note("the '*' catch-all answer (feedback for any other number) was left out")
            continue
        value = parse_float(text)
        if value is None:
            context.skip(qtype, f"answer {text!r} is not a number; only numeric short answers are supported")
            return None
        own_tolerance = parse_float((answer.findtext("tolerance") or "0").strip()) or 0.0
        fraction = percent_in_range(fraction, f"answer {text}: fraction", context.note)
        if fraction >= 99.99 and key is None:
            key, tolerance, key_feedback = value, abs(own_tolerance), answer_feedback(answer)
        else:
            others.append((value, fraction, own_tolerance, answer_feedback(answer)))
    if key is None:
        context.problem("no answer has fraction 100, so the key is unknown")
        return None
    item: dict[str, Any] = {
        "kind": ItemKind.NUMERIC.value,
        "answer": key,
        "tolerance": {"mode": "absolute", "value": abs(tolerance)},
    }
    if key_feedback:
        item["answer_feedback"] = key_feedback
    item.update(read_units(question, context))
    graded = [graded_answer(value, share, width, tolerance, text) for value, share, width, text in others]
    misconceptions = keep_reachable(key, tolerance, graded, context.note)
    if misconceptions:
        item["misconceptions"] = misconceptions
    return item


_UNIT_GRADINGS = {"0": "optional", "1": "response", "2": "question"}
_SHOW_UNITS = {"0": "input", "1": "choice", "2": "select", "3": "none"}


def read_units(question: ET.Element, context: QuestionContext) -> dict[str, Any]:
    """`units` for Moodle's plain case (one unit, multiplier 1, not graded), else `unit_options`."""
    units = []
    for unit in question.findall("units/unit"):
        name = (unit.findtext("unit_name") or "").strip()
        if name:
            units.append({"unit": name, "multiplier": safe_float(unit.findtext("multiplier"), 1.0)})
    grading = _UNIT_GRADINGS.get((question.findtext("unitgradingtype") or "0").strip(), "optional")
    penalty = safe_float(question.findtext("unitpenalty"), 0.1)
    raw_show = (question.findtext("showunits") or "").strip()
    show = _SHOW_UNITS.get(raw_show, "input" if units else "none")
    left = (question.findtext("unitsleft") or "0").strip() in ("1", "true")
    if not units:
        return {}
    if (
        len(units) == 1
        and units[0]["multiplier"] == 1
        and grading == "optional"
        and show == "input"
        and not left
    ):
        return {"units": units[0]["unit"]}
    if show in ("choice", "select"):
        context.note(f"Moodle offers the units as a {show}; Descent asks for the unit typed after the number")
    if left:
        context.note("Moodle shows the unit before the number; Descent asks for it after the number")
    options: dict[str, Any] = {"units": units, "grading": grading, "penalty": penalty, "show": show}
    if left:
        options["left"] = True
    return {"unit_options": options}


# Moodle's shortanswer is read by `shortanswer.py`, which hands all-number ones to read_shortanswer.
MOODLE_TYPES = ("numerical",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    return _read_numeric_answers(question, context, "numerical")


def read_shortanswer(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    return _read_numeric_answers(question, context, "shortanswer")


def numerical_children(
    answer: float,
    tolerance: float,
    misconceptions: list[dict[str, Any]],
    units: str,
    *,
    answer_feedback: str = "",
    unit_options: dict[str, Any] | None = None,
    key: str = "",
    result: ExportResult | None = None,
) -> list[ET.Element]:
    """The <answer>s (the key, then every other graded answer) and units of a Moodle numerical question.

    An answer without its own tolerance gets the key's ± width, the width the engine gives it."""
    children = []
    first = answer_element(short_number(answer), 100.0, answer_feedback, fmt="moodle_auto_format")
    first.append(simple_element("tolerance", short_number(tolerance)))
    children.append(first)
    for misconception in misconceptions:
        value = float(misconception["answer"])
        width = tolerance
        if "tolerance" in misconception and result is not None:
            width = absolute_tolerance(value, misconception["tolerance"], key, result)
        other = answer_element(
            short_number(value),
            float(misconception.get("fraction", 0)) * 100,
            misconception.get("feedback", ""),
            fmt=None,
        )
        other.append(simple_element("tolerance", short_number(width)))
        children.append(other)
    children += unit_elements(units, unit_options)
    return children


def unit_elements(units: str, unit_options: dict[str, Any] | None) -> list[ET.Element]:
    """<units> and, for graded units, <unitgradingtype>, <unitpenalty>, <showunits> and <unitsleft>."""
    if unit_options:
        listed = [(entry["unit"], entry.get("multiplier", 1)) for entry in unit_options["units"]]
    elif units:
        listed = [(units, 1)]
    else:
        return []
    unit_list = ET.Element("units")
    for name, multiplier in listed:
        unit = ET.SubElement(unit_list, "unit")
        unit.append(simple_element("multiplier", short_number(multiplier)))
        unit.append(simple_element("unit_name", name))
    children = [unit_list]
    if unit_options:
        grading = {value: code for code, value in _UNIT_GRADINGS.items()}[
            unit_options.get("grading", "optional")
        ]
        show = {value: code for code, value in _SHOW_UNITS.items()}[unit_options.get("show", "input")]
        children += [
            simple_element("unitgradingtype", grading),
            simple_element("unitpenalty", short_number(unit_options.get("penalty", 0.1))),
            simple_element("showunits", show),
            simple_element("unitsleft", "1" if unit_options.get("left") else "0"),
        ]
    return children


def gift_numeric_answers(
    answer: float, tolerance: float, misconceptions: list[dict[str, Any]], answer_feedback: str = ""
) -> list[str]:
    """A GIFT numeric answer block: `#`, the key with its ± tolerance, then the other graded answers."""
    answers = [with_feedback(f"={short_number(answer)}:{short_number(tolerance)}", answer_feedback)]
    for misconception in misconceptions:
        width = tolerance
        if (
            isinstance(misconception.get("tolerance"), dict)
            and misconception["tolerance"].get("mode") == "absolute"
        ):
            width = float(misconception["tolerance"]["value"])
        weight = percent(float(misconception.get("fraction", 0)) * 100)
        text = f"=%{weight}%{short_number(float(misconception['answer']))}:{short_number(width)}"
        answers.append(with_feedback(text, misconception.get("feedback", "")))
    return ["#", *answers]


def _numeric_misconceptions(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in item.get("misconceptions", []) if isinstance(m.get("answer"), int | float)]


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    children = numerical_children(
        answer,
        tolerance,
        _numeric_misconceptions(item),
        item.get("units", ""),
        answer_feedback=item.get("answer_feedback", ""),
        unit_options=item.get("unit_options"),
        key=item["key"],
        result=result,
    )
    return MoodleQuestion("numerical", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    misconceptions = _numeric_misconceptions(item)
    if any(m.get("tolerance", {}).get("mode", "absolute") != "absolute" for m in misconceptions):
        result.notes.append(f"{item['key']}: an answer's own relative tolerance became the key's ± width")
    if item.get("unit_options") or item.get("units"):
        result.notes.append(f"{item['key']}: GIFT holds no units; they were left out")
    answers = gift_numeric_answers(answer, tolerance, misconceptions, item.get("answer_feedback", ""))
    return GiftQuestion(item["stem"], answers, item["explanation"])
