"""calculation templates written as Moodle calculated questions, and as one fixed variant for GIFT.

Export: Moodle `calculated` with dataset definitions listing the value sets: every combination of the
choices (within the constraints) when there are at most MAX_DATASET_ITEMS, else that many drawn variants
(reported). A calculator answer has no Moodle formula: such an item is written as one fixed numerical
variant, as GIFT always does (both reported).
"""

import random
import re
import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.fixed_variant import FixedVariant, VariantUnavailable, fixed_variant
from quizzes.bankio.gift_parts import GiftQuestion
from quizzes.bankio.kinds.calculation.value_sets import MAX_DATASET_ITEMS, value_sets
from quizzes.bankio.kinds.numeric import gift_numeric_answers, numerical_children, unit_elements
from quizzes.bankio.moodle_formula import FormulaError, to_moodle
from quizzes.bankio.moodle_parts import MoodleQuestion, answer_element, simple_element
from quizzes.bankio.tolerances import absolute_tolerance, short_number
from quizzes.engine.kinds import ItemKind
from quizzes.engine.numbers import DEFAULT_TOLERANCE
from quizzes.engine.templates import PLACEHOLDER_RE, VariantError, constraints_hold, draw_parameters

_TOLERANCE_CODES = {"relative": "1", "absolute": "2"}
_FORMAT_CODES = {"decimals": "1", "sigfigs": "2"}


def _fixed_variant(item: dict[str, Any], result: ExportResult) -> FixedVariant | None:
    """The export variant, or None after reporting in `result` why the item was skipped."""
    try:
        return fixed_variant(item)
    except VariantUnavailable as error:
        result.skipped.append(Skipped(item["key"], ItemKind.CALCULATION.value, str(error)))
        return None


def _write_fixed_numerical(item: dict[str, Any], result: ExportResult, why: str) -> MoodleQuestion | None:
    variant = _fixed_variant(item, result)
    if variant is None:
        return None
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    result.notes.append(f"{item['key']}: {why}; exported as one fixed numerical variant ({variant.params})")
    children = numerical_children(variant.answer, tolerance, [], item.get("units", ""))
    return MoodleQuestion("numerical", variant.stem, variant.explanation, children)


def _moodle_text(
    text: str, params: dict[str, Any], key_formula: str, item_key: str, result: ExportResult
) -> str:
    """`{{x}}` as Moodle's `{x}`; `{{answer}}` as `{=formula}`. A number format cannot travel (reported)."""
    lost: list[str] = []

    def replace(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in params and name != "answer":
            return match.group(0)
        if spec:
            lost.append(match.group(0))
        return f"{{={key_formula}}}" if name == "answer" else f"{{{name}}}"

    converted = PLACEHOLDER_RE.sub(replace, text or "")
    if lost:
        result.notes.append(
            f"{item_key}: Moodle shows values as they are; the number formats of {', '.join(lost)} were dropped"
        )
    return converted


def _dataset_rows(item: dict[str, Any], result: ExportResult) -> list[dict[str, Any]]:
    """The value sets Moodle lists: every allowed combination when few enough, else drawn ones (reported)."""
    params = item.get("params") or {}
    rows = [values for values in value_sets(params) or [] if constraints_hold(item, values)]
    if rows:
        return rows
    drawn: dict[tuple, dict[str, Any]] = {}
    for seed in range(MAX_DATASET_ITEMS * 5):
        values = draw_parameters(params, random.Random(seed))
        if constraints_hold(item, values):
            drawn.setdefault(tuple(values[name] for name in sorted(values)), values)
        if len(drawn) == MAX_DATASET_ITEMS:
            break
    result.notes.append(
        f"{item['key']}: Moodle lists at most {MAX_DATASET_ITEMS} value sets; {len(drawn)} drawn ones were written "
        "instead of every combination of the parameters"
    )
    return list(drawn.values())


def _moodle_tolerance(spec: dict[str, Any] | None, item_key: str, result: ExportResult) -> tuple[str, str]:
    """(tolerance, tolerancetype) for Moodle; a significant-figure tolerance becomes its strictest relative one."""
    spec = spec or DEFAULT_TOLERANCE
    mode, value = str(spec.get("mode", "relative")), float(str(spec.get("value", 0)))
    if mode == "sigfigs":
        relative = 0.5 * 10 ** (-int(value))
        result.notes.append(
            f"{item_key}: a {int(value)}-significant-figure tolerance became Moodle's relative tolerance {relative:g}"
        )
        return short_number(relative), "1"
    return short_number(value), _TOLERANCE_CODES.get(mode, "1")


def _calculated_answer(
    formula: str, fraction: float, feedback: str, tolerance: tuple[str, str], answer_format: dict[str, int]
) -> ET.Element:
    element = answer_element(formula, fraction, feedback, fmt=None)
    ((format_name, length),) = answer_format.items()
    element.append(simple_element("tolerance", tolerance[0]))
    element.append(simple_element("tolerancetype", tolerance[1]))
    element.append(simple_element("correctanswerformat", _FORMAT_CODES[format_name]))
    element.append(simple_element("correctanswerlength", str(length)))
    return element


def _dataset_definitions(names: list[str], rows: list[dict[str, Any]], params: dict[str, Any]) -> ET.Element:
    definitions = ET.Element("dataset_definitions")
    for name in names:
        values = [row[name] for row in rows]
        spec = params[name]
        definition = ET.SubElement(definitions, "dataset_definition")
        for tag, text in (("status", "private"), ("name", name)):
            ET.SubElement(ET.SubElement(definition, tag), "text").text = text
        definition.append(simple_element("type", "calculated"))
        ET.SubElement(ET.SubElement(definition, "distribution"), "text").text = "uniform"
        numbers = [float(value) for value in values]
        low, high = spec.get("min", min(numbers)), spec.get("max", max(numbers))
        ET.SubElement(ET.SubElement(definition, "minimum"), "text").text = short_number(low)
        ET.SubElement(ET.SubElement(definition, "maximum"), "text").text = short_number(high)
        decimals = max((len(short_number(value).partition(".")[2]) for value in numbers), default=0)
        ET.SubElement(ET.SubElement(definition, "decimals"), "text").text = str(decimals)
        definition.append(simple_element("itemcount", str(len(rows))))
        items = ET.SubElement(definition, "dataset_items")
        for number, value in enumerate(values, start=1):
            item = ET.SubElement(items, "dataset_item")
            item.append(simple_element("number", str(number)))
            item.append(simple_element("value", short_number(value)))
        definition.append(simple_element("number_of_items", str(len(rows))))
    return definitions


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion | None:
    """A Moodle calculated question whose datasets list the template's value sets."""
    params = item.get("params") or {}
    names = sorted(params)
    if not names:
        return _write_fixed_numerical(
            item, result, "a Moodle calculated question needs at least one wildcard"
        )
    if any(
        not isinstance(value, int | float) for spec in params.values() for value in spec.get("choices", [0])
    ):
        return _write_fixed_numerical(
            item, result, "a parameter has text choices, which Moodle datasets cannot hold"
        )
    answer = item.get("answer")
    try:
        if not isinstance(answer, dict | str) or (isinstance(answer, dict) and "expr" not in answer):
            raise FormulaError("the answer comes from a calculator, which Moodle's formulas cannot run")
        key_formula = to_moodle(str(answer["expr"] if isinstance(answer, dict) else answer), tuple(names))
    except FormulaError as error:
        return _write_fixed_numerical(item, result, str(error))
    try:
        rows = _dataset_rows(item, result)
    except VariantError as error:
        return _write_fixed_numerical(item, result, str(error))
    answer_format = item.get("answer_format") or {"sigfigs": 6}
    key = item["key"]
    tolerance = _moodle_tolerance(item.get("tolerance"), key, result)
    children = [
        _calculated_answer(
            key_formula,
            100.0,
            _moodle_text(item.get("answer_feedback", ""), params, key_formula, key, result),
            tolerance,
            answer_format,
        )
    ]
    for index, misconception in enumerate(item.get("misconceptions") or []):
        definition = misconception.get("answer")
        try:
            if isinstance(definition, dict) and "expr" not in definition:
                raise FormulaError("it comes from a calculator")
            expression = definition["expr"] if isinstance(definition, dict) else definition
            formula = to_moodle(str(expression), tuple(names))
        except FormulaError as error:
            result.notes.append(f"{key}: misconception {index + 1} was left out ({error})")
            continue
        own = (
            _moodle_tolerance(misconception["tolerance"], key, result)
            if "tolerance" in misconception
            else tolerance
        )
        feedback = _moodle_text(misconception.get("feedback", ""), params, key_formula, key, result)
        children.append(
            _calculated_answer(
                formula, float(misconception.get("fraction", 0)) * 100, feedback, own, answer_format
            )
        )
    children += unit_elements(item.get("units", ""), item.get("unit_options"))
    children.append(_dataset_definitions(names, rows, params))
    if any(PLACEHOLDER_RE.search(str(hint)) for hint in item.get("hints") or []):
        result.notes.append(
            f"{key}: Moodle fills no values into hints; their {{{{placeholders}}}} show as written"
        )
    stem = _moodle_text(item["stem"], params, key_formula, key, result)
    explanation = _moodle_text(item.get("explanation", ""), params, key_formula, key, result)
    return MoodleQuestion("calculated", stem, explanation, children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion | None:
    """GIFT cannot hold a template: one fixed variant is written, and the export says so."""
    variant = _fixed_variant(item, result)
    if variant is None:
        return None
    result.notes.append(f"{item['key']}: exported as one fixed variant ({variant.params})")
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    return GiftQuestion(
        variant.stem, gift_numeric_answers(variant.answer, tolerance, []), variant.explanation
    )
