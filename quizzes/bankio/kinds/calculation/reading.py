"""Moodle's calculated questions read as calculation templates.

Import (`calculated`, `calculatedsimple`): each dataset definition becomes a parameter named after its
wildcard; its listed items become the parameter's `choices`. Moodle takes the k-th item of every
dataset together, so several datasets become `paired` parameters, unless their items are exactly every
combination of each one's values (what our export writes for independent choices), which stay
independent. A dataset without listed items becomes a range (`min`, `max`, `step` = 10^-decimals).
The first 100 % answer's formula (`moodle_formula.py`) is the `answer`, every other graded answer a
misconception with its fraction, tolerance and feedback; `{x}` becomes `{{x}}` in the texts Moodle fills
(question text, general feedback, answer feedback; not hints, which Moodle shows as written). Tolerance types:
relative and nominal are kept (relative, absolute); geometric becomes the relative tolerance of its
narrower side, and the preview says so. The correct answer's length and format are `answer_format`.
Anything that cannot be expressed (a formula using `%` or `tan`, `{=...}` in the question text, a
log-uniform range, an unknown tolerance type) reports the question with its line and leaves it out.
"""

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from quizzes.bankio.kinds.calculation.value_sets import value_sets, values_of
from quizzes.bankio.kinds.numeric import read_units
from quizzes.bankio.moodle_formula import WILDCARD_RE, FormulaError, from_moodle, parameter_name
from quizzes.bankio.moodle_parts import (
    QuestionContext,
    answer_feedback,
    answer_fraction,
    element_markdown,
    parse_float,
    text_of_element,
)
from quizzes.bankio.tolerances import percent_in_range, short_number
from quizzes.engine.kinds import ItemKind
from quizzes.engine.numbers import Tolerance
from quizzes.engine.templates import VariantError, compute, grid_size

_TOLERANCE_TYPES = {"1": "relative", "2": "nominal", "3": "geometric"}
_ANSWER_FORMATS = {"1": "decimals", "2": "sigfigs"}
_COMPUTED_RE = re.compile(r"\{=([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")  # Moodle's {=formula} in a text


class _LeftOut(Exception):
    """The question cannot be imported; the message says why (reported as skipped)."""


@dataclass
class _Dataset:
    wildcard: str
    param: str
    values: list[int | float] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    decimals: int = 0
    distribution: str = "uniform"
    status: str = "private"


def _number(text: str) -> int | float | None:
    text = text.strip()
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return parse_float(text)


def _read_datasets(question: ET.Element) -> list[_Dataset]:
    datasets = []
    for definition in question.findall("dataset_definitions/dataset_definition"):
        wildcard = (definition.findtext("name/text") or "").strip()
        param = parameter_name(wildcard)
        if param is None:
            raise _LeftOut(f"the wildcard {{{wildcard}}} is not a usable parameter name")
        dataset = _Dataset(wildcard, param)
        dataset.status = (definition.findtext("status/text") or "private").strip()
        dataset.distribution = (definition.findtext("distribution/text") or "uniform").strip()
        dataset.minimum = parse_float((definition.findtext("minimum/text") or "").strip())
        dataset.maximum = parse_float((definition.findtext("maximum/text") or "").strip())
        decimals = _number(definition.findtext("decimals/text") or "0")
        dataset.decimals = int(decimals) if isinstance(decimals, int) and 0 <= decimals <= 10 else 0
        items = sorted(
            definition.findall("dataset_items/dataset_item"),
            key=lambda item: _number(item.findtext("number") or "") or 0,
        )
        for item in items:
            value = _number(item.findtext("value") or "")
            if value is None:
                raise _LeftOut(
                    f"dataset {{{wildcard}}}: item value {item.findtext('value')!r} is not a number"
                )
            dataset.values.append(value)
        datasets.append(dataset)
    return datasets


def _params(datasets: list[_Dataset], context: QuestionContext) -> dict[str, Any]:
    listed = [dataset for dataset in datasets if dataset.values]
    params: dict[str, Any] = {}
    for dataset in datasets:
        if dataset.values:
            continue
        if dataset.distribution != "uniform":
            raise _LeftOut(
                f"dataset {{{dataset.wildcard}}} is a {dataset.distribution} range with no listed items"
            )
        if dataset.minimum is None or dataset.maximum is None:
            raise _LeftOut(f"dataset {{{dataset.wildcard}}} has neither items nor a minimum and maximum")
        step: int | float = 1 if dataset.decimals == 0 else float(f"1e-{dataset.decimals}")
        low, high = dataset.minimum, dataset.maximum
        params[dataset.param] = {
            "min": int(low) if dataset.decimals == 0 and low == int(low) else low,
            "max": int(high) if dataset.decimals == 0 and high == int(high) else high,
            "step": step,
        }
        try:
            grid_size(params[dataset.param])
        except VariantError as error:
            raise _LeftOut(f"dataset {{{dataset.wildcard}}}: {error}") from error
        context.note(
            f"dataset {{{dataset.wildcard}}} lists no items: Descent draws from {low:g} to {high:g} in steps "
            f"of {step:g} (Moodle rounds a uniform draw to {dataset.decimals} decimals)"
        )
    if any(dataset.status != "private" for dataset in datasets):
        context.note(
            "shared datasets were copied into this question: Descent keeps no sets shared between questions"
        )
    if not listed:
        return params
    count = min(len(dataset.values) for dataset in listed)
    if any(len(dataset.values) != count for dataset in listed):
        context.note(f"the datasets list different numbers of items; the first {count} of each were kept")
    rows = [tuple(dataset.values[index] for dataset in listed) for index in range(count)]
    distinct = [list(dict.fromkeys(dataset.values[:count])) for dataset in listed]
    if len(listed) == 1 or rows == list(itertools.product(*distinct)):
        for dataset, values in zip(listed, distinct, strict=True):
            # independent choices (a single one needs no pairing), or the range they are the grid of
            params[dataset.param] = _as_range(dataset, values) or {"choices": values}
    else:
        for position, dataset in enumerate(listed):
            params[dataset.param] = {"choices": [row[position] for row in rows], "paired": True}
    return params


def _with_placeholders(text: str, names: dict[str, str]) -> str:
    """Moodle's `{x}` as our `{{x}}`, for the wildcards that have a dataset (Moodle leaves others as written)."""
    return WILDCARD_RE.sub(
        lambda match: f"{{{{{names[match.group(1)]}}}}}" if match.group(1) in names else match.group(0), text
    )


def _tolerance(answer: ET.Element, context: QuestionContext, where: str) -> dict[str, Any]:
    value = abs(parse_float((answer.findtext("tolerance") or "0").strip()) or 0.0)
    raw = (answer.findtext("tolerancetype") or "1").strip()
    kind = _TOLERANCE_TYPES.get(raw, raw if raw in _TOLERANCE_TYPES.values() else None)
    if kind is None:
        raise _LeftOut(f"{where}: tolerance type {raw!r} is not one Moodle defines")
    if kind == "nominal":
        return {"mode": "absolute", "value": value}
    if kind == "geometric":
        narrower = value / (1 + value)
        context.note(
            f"{where}: Moodle's geometric tolerance {value:g} accepts key/(1+t) to key·(1+t); Descent checks "
            f"the relative tolerance of its narrower side, {narrower:.6g}"
        )
        return {"mode": "relative", "value": float(f"{narrower:.6g}")}
    return {"mode": "relative", "value": value}


def _answer_format(answer: ET.Element) -> dict[str, int] | None:
    kind = _ANSWER_FORMATS.get((answer.findtext("correctanswerformat") or "1").strip())
    length = _number(answer.findtext("correctanswerlength") or "2")
    if kind is None or not isinstance(length, int) or not (0 if kind == "decimals" else 1) <= length <= 15:
        return None
    return {kind: length}


def _explanation_text(text: str, key_expression: str, context: QuestionContext) -> str:
    """Moodle's `{=formula}` in the general feedback: the key's own formula becomes `{{answer}}`."""

    def replace(match: re.Match) -> str:
        try:
            expression = from_moodle(match.group(1))
        except FormulaError:
            expression = None
        if expression == key_expression:
            return "{{answer}}"
        context.note(
            f"the general feedback computes {{={match.group(1)}}}; Descent shows the formula instead"
        )
        return f"`{expression or match.group(1)}`"

    return _COMPUTED_RE.sub(replace, text)


class _DeferredNotes(QuestionContext):
    """A question's context that holds its notes back until the question is known to be imported."""

    def __init__(self, context: QuestionContext) -> None:
        super().__init__(
            filename=context.filename, line=context.line, name=context.name, result=context.result
        )
        self.context = context
        self.held: list[str] = []

    def note(self, message: str) -> None:
        self.held.append(message)

    def release(self) -> None:
        for message in self.held:
            self.context.note(message)


MOODLE_TYPES = ("calculated", "calculatedsimple")


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    qtype = question.get("type", "calculated")
    deferred = _DeferredNotes(context)
    try:
        item = _read(question, deferred)
    except _LeftOut as error:
        context.skip(qtype, str(error))  # a question left out lists why, not what would have changed
        return None
    if item is not None:
        deferred.release()
    return item


def _read(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    datasets = _read_datasets(question)
    names = {dataset.wildcard: dataset.param for dataset in datasets}
    graded = []
    for number, answer in enumerate(question.findall("answer"), start=1):
        text = (text_of_element(answer) or "").strip()
        fraction = answer_fraction(answer, context)
        if fraction is None:
            return None
        if text in ("", "*"):
            context.note("the '*' catch-all answer (feedback for any other number) was left out")
            continue
        try:
            expression = from_moodle(text)
        except FormulaError as error:
            raise _LeftOut(f"answer {number} ({text}): {error}") from error
        missing = [match.group(1) for match in WILDCARD_RE.finditer(text) if match.group(1) not in names]
        if missing:
            raise _LeftOut(f"answer {number} uses {{{missing[0]}}}, which has no dataset definition")
        fraction = percent_in_range(fraction, f"answer {number}: fraction", context.note)
        feedback = _with_placeholders(answer_feedback(answer), names)
        graded.append((number, answer, expression, fraction, feedback))
    key = next((entry for entry in graded if entry[3] >= 99.99), None)
    if key is None:
        raise _LeftOut("no answer formula has fraction 100, so the key is unknown")
    number, key_answer, key_expression, _, key_feedback = key
    stem = element_markdown(question.find("questiontext"))
    if "{=" in stem:
        raise _LeftOut("the question text computes {=...} values, which Descent's placeholders cannot")
    params = _params(datasets, context)
    for wildcard, param in names.items():
        if param != wildcard:
            context.note(
                f"the wildcard {{{wildcard}}} is the parameter {param} ({wildcard} is a reserved word)"
            )
    tolerance = _tolerance(key_answer, context, f"answer {number}")
    item: dict[str, Any] = {
        "kind": ItemKind.CALCULATION.value,
        "stem": _with_placeholders(stem, names),
        "params": params,
        "answer": {"expr": key_expression},
        "tolerance": tolerance,
    }
    if answer_format := _answer_format(key_answer):
        item["answer_format"] = answer_format
    if explanation := element_markdown(question.find("generalfeedback")):
        item["explanation"] = _with_placeholders(
            _explanation_text(explanation, key_expression, context), names
        )
    if key_feedback:
        item["answer_feedback"] = key_feedback
    misconceptions = []
    for other_number, answer, expression, fraction, feedback in graded:
        if answer is key_answer:
            continue
        entry: dict[str, Any] = {"answer": {"expr": expression}}
        if fraction > 0:
            entry["fraction"] = round(fraction / 100, 7)
        own = _tolerance(answer, context, f"answer {other_number}")
        if own != tolerance:
            entry["tolerance"] = own
        if feedback:
            entry["feedback"] = feedback
        if _reaches(item, entry):
            misconceptions.append(entry)
        else:
            context.note(
                f"answer {other_number} is within the key's tolerance for some dataset item, where Moodle "
                "never reaches it; left out"
            )
    if misconceptions:
        item["misconceptions"] = misconceptions
    _check_computable(item)
    item.update(read_units(question, context))
    if element_markdown(question.find("instructions")).strip():
        context.note("the unit instructions (<instructions>) were left out")
    if (question.findtext("synchronize") or "0").strip() not in ("0", ""):
        context.note(
            "Moodle synchronises the dataset item across the category's questions; Descent draws per question"
        )
    return item


def _check_computable(item: dict[str, Any]) -> None:
    """Leave the question out (rather than refuse the file) when a listed value set breaks a formula."""
    for number, values in enumerate(value_sets(item["params"]) or [], start=1):
        for definition in [item["answer"], *(entry["answer"] for entry in item.get("misconceptions", []))]:
            try:
                value = compute(definition, values)
            except VariantError as error:
                raise _LeftOut(f"value set {number} ({values}): {error}") from error
            if not isinstance(value, float) or not math.isfinite(value):
                raise _LeftOut(f"value set {number} ({values}): the formula gives no finite number")


def _reaches(item: dict[str, Any], misconception: dict[str, Any]) -> bool:
    """Whether the key's tolerance never swallows this answer on a listed value set (ranges: not checked)."""
    tolerance = Tolerance.from_spec(item["tolerance"])
    for values in value_sets(item["params"]) or []:
        try:
            key = compute(item["answer"], values)
            other = compute(misconception["answer"], values)
        except VariantError:
            return True  # validation reports a formula that cannot be computed, with its own message
        if isinstance(key, float) and isinstance(other, float) and tolerance.accepts(key, other):
            return False
    return True


def _as_range(dataset: _Dataset, values: list[int | float]) -> dict[str, Any] | None:
    """A range when the values are exactly the grid min..max in steps of 10^-decimals (our own export's)."""
    if dataset.minimum is None or dataset.maximum is None or len(values) < 3:
        return None
    spec: dict[str, Any] = {
        "min": _number(short_number(dataset.minimum)),
        "max": _number(short_number(dataset.maximum)),
        "step": 1 if dataset.decimals == 0 else float(f"1e-{dataset.decimals}"),
    }
    try:
        grid = values_of(spec)
    except VariantError:
        return None
    return (
        spec if len(grid) == len(values) and all(a == b for a, b in zip(grid, values, strict=True)) else None
    )


def fallback_explanation(item: dict[str, Any]) -> str:
    return "The correct answer is {{answer}}."
