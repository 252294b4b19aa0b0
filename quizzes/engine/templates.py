"""Template parameters, variants and `{{placeholder}}` filling.

A variant is drawn from a seed: parameters in sorted name order (so the draw does not depend
on the key order a JSON column happens to keep; parameters marked `paired` share one draw of a
position in their choices, the way Moodle's dataset items go together), redrawn from the same random stream until
every constraint holds, then the answer, calculator extras and misconception answers are
computed from them.
"""

from __future__ import annotations

import hashlib
import keyword
import math
import random
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from quizzes.engine import calculators
from quizzes.engine.expressions import (
    AUTHOR_FUNCTIONS,
    ExpressionError,
    evaluate_number,
    holds,
    parse_constraint,
    parse_expression,
)
from quizzes.engine.numbers import exact, format_number, yaml_number
from quizzes.engine.optimizers import CalculatorError
from quizzes.engine.result import Variant

MAX_DRAWS = 200
MAX_GRID_POINTS = 100_000
RESERVED_NAMES = frozenset({"answer"})

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::([^{}]*?))?\s*\}\}")


class VariantError(ValueError):
    """The item's template cannot produce a valid variant (reported by validation)."""


# --- seeds -------------------------------------------------------------------------------


def variant_seed(student_id: int, item_uid: str, attempt_number: int) -> int:
    """A stable, well mixed 63-bit seed (fits a signed BIGINT column)."""
    material = f"descent-variant/1|{student_id}|{item_uid}|{attempt_number}".encode()
    digest = hashlib.sha256(material).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


# --- parameters --------------------------------------------------------------------------


def parameter_problems(name: Any, spec: Any) -> list[str]:
    """Problems with one parameter definition (empty when it is fine)."""
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name.startswith("_")
    ):
        return [f"{name!r} is not a usable parameter name (letters, digits and _; not a Python keyword)"]
    if name in RESERVED_NAMES:
        return [f"{name!r} is reserved for the computed answer"]
    if not isinstance(spec, dict):
        return ["must be a mapping with `choices` or `min`/`max`/`step`"]
    if "paired" in spec and (not isinstance(spec["paired"], bool) or "choices" not in spec):
        return ["`paired` must be true or false, and only a parameter with `choices` can be paired"]
    if "choices" in spec:
        choices = spec["choices"]
        if not isinstance(choices, list) or not choices:
            return ["`choices` must be a non-empty list"]
        bad = [choice for choice in choices if not _is_scalar(choice)]
        return [f"`choices` may hold numbers and words only, not {bad[0]!r}"] if bad else []
    missing = [field for field in ("min", "max") if field not in spec]
    if missing:
        return [f"needs `choices`, or `min` and `max` (missing {', '.join(missing)})"]
    try:
        grid_size(spec)
    except VariantError as error:
        return [str(error)]
    return []


def _is_scalar(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int | str)


def _grid_bounds(spec: dict[str, Any]) -> tuple[Fraction, Fraction, Fraction]:
    values = []
    for field in ("min", "max", "step"):
        raw = yaml_number(spec.get(field, 1))
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise VariantError(f"`{field}` must be a finite number, not {raw!r}")
        values.append(exact(raw))
    low, high, step = values
    if step <= 0:
        raise VariantError("`step` must be positive")
    if high < low:
        raise VariantError("`max` must not be below `min`")
    return low, high, step


def grid_size(spec: dict[str, Any]) -> int:
    low, high, step = _grid_bounds(spec)
    size = int((high - low) // step) + 1
    if size > MAX_GRID_POINTS:
        raise VariantError(f"the grid has {size} points; at most {MAX_GRID_POINTS}")
    return size


def grid_value(spec: dict[str, Any], index: int) -> int | float:
    """The index-th grid point, computed on the exact grid so 0.5 + 9 * 0.05 is 0.95, not 0.9500000001."""
    low, _, step = _grid_bounds(spec)
    value = low + index * step
    if all(isinstance(yaml_number(spec.get(field, 1)), int) for field in ("min", "max", "step")):
        return int(value)
    return float(value)


def paired_names(params_spec: dict[str, Any]) -> list[str]:
    """The parameters drawn together (`paired: true`): one draw picks the same position in each one's choices."""
    return sorted(
        name for name, spec in params_spec.items() if isinstance(spec, dict) and spec.get("paired") is True
    )


def paired_rows(params_spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The value sets the paired parameters can take together, one per position (Moodle's dataset items)."""
    names = paired_names(params_spec)
    if not names:
        return []
    count = min(len(params_spec[name]["choices"]) for name in names)
    return [{name: yaml_number(params_spec[name]["choices"][row]) for name in names} for row in range(count)]


def draw_parameters(params_spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    drawn: dict[str, Any] = {}
    row: int | None = None
    for name in sorted(params_spec):
        spec = params_spec[name]
        if "choices" in spec and spec.get("paired") is True:
            if row is None:  # the first paired parameter in name order draws the position for all of them
                row = rng.randrange(len(paired_rows(params_spec)))
            drawn[name] = yaml_number(spec["choices"][row])
        elif "choices" in spec:
            drawn[name] = yaml_number(spec["choices"][rng.randrange(len(spec["choices"]))])
        else:
            drawn[name] = grid_value(spec, rng.randrange(grid_size(spec)))
    return drawn


# --- computing answers ------------------------------------------------------------------


def value_names(params: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(params))


def compute(definition: Any, values: dict[str, Any]) -> Any:
    """Evaluate an answer definition: a number, `{expr}`, an expression string, or `{calc, args}`.

    Returns a float, or for a calculator possibly a dict with `answer` and extras.
    """
    if isinstance(definition, bool):
        raise VariantError("an answer must be a number, an expression or a calculator")
    if isinstance(definition, int | float):
        if not math.isfinite(definition):
            raise VariantError("the answer is not finite")
        return float(definition)
    if isinstance(definition, str):
        definition = {"expr": definition}
    if not isinstance(definition, dict):
        raise VariantError("an answer must be a number, `{expr: ...}` or `{calc: ..., args: ...}`")
    if "expr" in definition:
        numeric = {name: value for name, value in values.items() if _is_number(value)}
        try:
            expression = parse_expression(
                str(definition["expr"]), value_names(numeric), tuple(AUTHOR_FUNCTIONS)
            )
            return evaluate_number(expression, numeric)
        except ExpressionError as error:
            raise VariantError(f"expr {definition['expr']!r}: {error}") from error
    if "calc" in definition:
        try:
            return calculators.run_calculator(definition["calc"], definition.get("args") or {}, values)
        except CalculatorError as error:
            raise VariantError(f"calc {definition['calc']!r}: {error}") from error
    raise VariantError("an answer needs `expr` or `calc`")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite_value(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise VariantError(f"{what} is not a finite number ({value!r})")
    return float(value)


ValuesHook = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], list[Any]]]
"""(item, drawn params) -> (values placeholders see, misconception answers): a kind's `values`."""


def plain_values(item: dict[str, Any], params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The values of a kind that computes nothing: the parameters, and each misconception's answer as written."""
    misconception_answers = [
        misconception.get("answer") if isinstance(misconception, dict) else None
        for misconception in item.get("misconceptions") or []
    ]
    return dict(params), misconception_answers


def constraints_hold(item: dict[str, Any], params: dict[str, Any]) -> bool:
    numeric = {name: value for name, value in params.items() if _is_number(value)}
    for text in item.get("constraints") or []:
        try:
            if not holds(parse_constraint(str(text), value_names(numeric)), numeric):
                return False
        except ExpressionError as error:
            raise VariantError(f"constraint {text!r}: {error}") from error
    return True


def draw(item: dict[str, Any], seed: int, values: ValuesHook) -> Variant:
    """The variant for `seed`, its values computed by the kind's hook. Raises VariantError if none can be drawn."""
    params_spec = item.get("params") or {}
    if not isinstance(params_spec, dict):
        raise VariantError("`params` must be a mapping")
    rng = random.Random(int(seed))
    for _ in range(MAX_DRAWS):
        params = draw_parameters(params_spec, rng)
        if constraints_hold(item, params):
            computed, misconception_answers = values(item, params)
            return Variant(
                seed=int(seed), params=params, values=computed, misconception_answers=misconception_answers
            )
        if not params_spec:
            break
    raise VariantError(f"no parameter draw satisfied the constraints in {MAX_DRAWS} tries")


# --- placeholders -----------------------------------------------------------------------


def placeholder_names(text: str) -> list[str]:
    return [match.group(1) for match in PLACEHOLDER_RE.finditer(text or "")]


def placeholder_problems(text: str) -> list[str]:
    """Format specs that Python would reject, found without values at hand."""
    problems = []
    for match in PLACEHOLDER_RE.finditer(text or ""):
        spec = match.group(2)
        if spec:
            try:
                format(1.5, spec)
            except ValueError:
                problems.append(f"{{{{{match.group(1)}:{spec}}}}} has an invalid number format")
    return problems


def fill(text: str, values: dict[str, Any]) -> str:
    """Replace `{{name}}` / `{{name:spec}}`; unknown names are left visible (validation flags them)."""

    def replace(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        try:
            return format_number(values[name], spec)
        except (ValueError, TypeError):
            return format_number(values[name])

    return PLACEHOLDER_RE.sub(replace, text or "")
