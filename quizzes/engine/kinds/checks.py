"""Checks several kinds share: tolerances, misconceptions, template parameters and drawn variants.

Each returns a list of "field: problem" strings, empty when the field is fine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

from quizzes.engine.calculators import CALCULATORS
from quizzes.engine.expressions import AUTHOR_FUNCTIONS, ExpressionError, parse_constraint, parse_expression
from quizzes.engine.numbers import NumberFormatError, Tolerance, parse_number, yaml_number
from quizzes.engine.result import Variant
from quizzes.engine.templates import (
    ValuesHook,
    VariantError,
    constraints_hold,
    draw,
    grid_size,
    grid_value,
    paired_names,
    paired_rows,
    parameter_problems,
)

VARIANT_SAMPLES = 24
MAX_CORNER_PARAMS = 6  # 2**6 corner combinations at most; beyond that, all-low and all-high only
MAX_PAIRED_ROWS = 100  # every value set of paired parameters is checked, up to this many


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def tolerance_problems(item: dict[str, Any], key: float | None = None) -> list[str]:
    spec = item.get("tolerance")
    if spec is None:
        return []
    if not isinstance(spec, dict):
        return ["tolerance: must be a mapping {mode, value}"]
    extra = sorted(set(spec) - {"mode", "value"})
    problems = [f"tolerance.{field}: unknown field" for field in extra]
    if "value" not in spec:
        return [*problems, "tolerance.value: required"]
    tolerance = Tolerance.from_spec(spec)
    problems += [f"tolerance: {problem}" for problem in tolerance.problems()]
    if not problems and key == 0 and tolerance.mode in {"relative", "sigfigs"}:
        problems.append(f"tolerance: {tolerance.mode} tolerance around a key of 0 accepts only exactly 0")
    return problems


def number_or_none(value: Any) -> float | None:
    try:
        return float(parse_number(value))
    except NumberFormatError:
        return None


def mapping_entries(
    entries: list[Any], label: str, expected: str, problems: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each mapping in the list `label`, with where it stands (`label[i]`).

    An entry that is not a mapping adds "label[i]: must be a mapping <expected>" to `problems` instead.
    """
    for index, entry in enumerate(entries):
        where = f"{label}[{index}]"
        if isinstance(entry, dict):
            yield where, entry
        else:
            problems.append(f"{where}: must be a mapping {expected}")


def misconception_problems(
    item: dict[str, Any], answer_problems: Callable[[dict[str, Any], str], list[str]]
) -> list[str]:
    """Problems of `misconceptions`: a list of mappings with `answer` and `feedback`.

    `answer_problems(misconception, where)` checks one misconception's answer as its kind reads it.
    """
    misconceptions = item.get("misconceptions", [])
    if not isinstance(misconceptions, list):
        return ["misconceptions: must be a list"]
    problems: list[str] = []
    expected = "with `answer` and `feedback`"
    for where, misconception in mapping_entries(misconceptions, "misconceptions", expected, problems):
        problems += answer_problems(misconception, where)
        problems += misconception_fields(misconception, where)
    return problems


def misconception_fields(misconception: dict[str, Any], where: str) -> list[str]:
    """The optional fields of a misconception (another graded answer): feedback, fraction, tolerance."""
    problems = []
    if "feedback" in misconception and not isinstance(misconception["feedback"], str):
        problems.append(f"{where}.feedback: must be text")
    if "fraction" in misconception:
        fraction = misconception["fraction"]
        if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 <= fraction <= 1:
            problems.append(f"{where}.fraction: must be a number from 0 to 1 (the credit this answer earns)")
    if "tolerance" in misconception:
        problems += [f"{where}.{problem}" for problem in tolerance_problems(misconception)]
    extra = sorted(set(misconception) - {"answer", "feedback", "id", "fraction", "tolerance"})
    return problems + [f"{where}.{field}: unknown field" for field in extra]


def params_problems(item: dict[str, Any]) -> list[str]:
    params = item.get("params", {})
    if params is None:
        return []
    if not isinstance(params, dict):
        return ["params: must be a mapping name -> {choices} or {min, max, step}"]
    problems = []
    for name, spec in params.items():
        problems += [f"params.{name}: {problem}" for problem in parameter_problems(name, spec)]
    paired = paired_names(params) if not problems else []
    if len({len(params[name]["choices"]) for name in paired}) > 1:
        problems.append(
            f"params: the paired parameters ({', '.join(paired)}) need the same number of choices"
        )
    constraints = item.get("constraints", [])
    if not isinstance(constraints, list):
        return [*problems, "constraints: must be a list of conditions such as 'eta * g < 1'"]
    names = tuple(sorted(str(name) for name in params))
    for index, text in enumerate(constraints):
        try:
            parse_constraint(str(text), names)
        except ExpressionError as error:
            problems.append(f"constraints[{index}]: {error}")
    return problems


def definition_problems(definition: Any, where: str, names: tuple[str, ...]) -> list[str]:
    """Static checks of `{expr}` / `{calc, args}` before any variant is drawn."""
    if isinstance(definition, int | float) and not isinstance(definition, bool):
        return [] if math.isfinite(definition) else [f"{where}: must be finite"]
    if isinstance(definition, str):
        definition = {"expr": definition}
    if not isinstance(definition, dict) or ("expr" in definition) == ("calc" in definition):
        return [f"{where}: needs exactly one of `expr` (an expression) or `calc` (a calculator name)"]
    if "expr" in definition:
        try:
            parse_expression(str(definition["expr"]), names, tuple(AUTHOR_FUNCTIONS))
        except ExpressionError as error:
            return [f"{where}.expr: {error}"]
        return [f"{where}.{field}: unknown field" for field in sorted(set(definition) - {"expr"})]
    if definition["calc"] not in CALCULATORS:
        return [
            f"{where}.calc: unknown calculator {definition['calc']!r}; known: {', '.join(sorted(CALCULATORS))}"
        ]
    if not isinstance(definition.get("args", {}), dict):
        return [f"{where}.args: must be a mapping"]
    return [f"{where}.{field}: unknown field" for field in sorted(set(definition) - {"calc", "args"})]


def corner_parameters(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Parameter sets at the ends of every range (where division by zero and the like hide)."""
    params_spec = item.get("params") or {}
    ends: dict[Any, list[Any]] = {}
    rows = paired_rows(params_spec)
    if (
        rows
    ):  # the paired parameters are one dimension: every value set when nothing else varies, else the ends
        alone = len(rows[0]) == len(params_spec)
        picked = rows[:MAX_PAIRED_ROWS] if alone else [rows[0], rows[-1]]
        ends[tuple(rows[0])] = list(dict.fromkeys(tuple(row.values()) for row in picked))
    for name in sorted(params_spec):
        spec = params_spec[name]
        if rows and name in rows[0]:
            continue
        if "choices" in spec:
            ends[name] = list(
                dict.fromkeys([yaml_number(spec["choices"][0]), yaml_number(spec["choices"][-1])])
            )
        else:
            ends[name] = list(dict.fromkeys([grid_value(spec, 0), grid_value(spec, grid_size(spec) - 1)]))
    if len(ends) > MAX_CORNER_PARAMS:
        low = tuple(values[0] for values in ends.values())
        high = tuple(values[-1] for values in ends.values())
        return [_corner(ends, low), _corner(ends, high)]
    return [_corner(ends, combination) for combination in itertools.product(*ends.values())]


def _corner(ends: dict[Any, list[Any]], combination: tuple[Any, ...]) -> dict[str, Any]:
    corner: dict[str, Any] = {}
    for name, value in zip(ends, combination, strict=True):
        if isinstance(name, tuple):  # the paired parameters' names and one of their value sets
            corner.update(zip(name, value, strict=True))
        else:
            corner[name] = value
    return corner


def variant_problems(item: dict[str, Any], values: ValuesHook) -> list[str]:
    """Exercise the template: every corner of the parameter ranges that meets the constraints,
    and a sample of seeded draws. Every computed value must be finite, and no misconception
    may coincide with the key."""
    tolerance = Tolerance.from_spec(item.get("tolerance"))
    problems: list[str] = []
    variants = []
    for params in corner_parameters(item):
        try:
            if constraints_hold(item, params):
                computed, wrong_answers = values(item, params)
                variants.append(Variant(0, params, computed, wrong_answers))
        except (VariantError, NotImplementedError) as error:
            problems.append(f"{field_of(error)}: {error} (parameters {params})")
            break
    for seed in range(VARIANT_SAMPLES):
        try:
            variants.append(draw(item, seed, values))
        except (VariantError, NotImplementedError) as error:
            problems.append(f"{field_of(error)}: {error} (seed {seed})")
            break
    reported: set[int] = set()
    for variant in variants:
        key = variant.values.get("answer")
        for index, wrong in enumerate(variant.misconception_answers):
            if index in reported:
                continue
            if key is not None and wrong is not None and tolerance.accepts(key, wrong):
                reported.add(index)
                problems.append(
                    f"misconceptions[{index}].answer: equals the key for parameters {variant.params}, "
                    "so it cannot be told apart; add a constraint"
                )
    return list(dict.fromkeys(problems))


def field_of(error: Exception) -> str:
    text = str(error)
    if "constraint" in text or "tries" in text:
        return "constraints"
    if text.startswith("table"):
        return "table"
    return "answer"
