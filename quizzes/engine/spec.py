"""validate_item: every problem of an item dict, each naming the field it concerns.

It never raises: whatever the input, the answer is a list of "field: problem" strings, empty
when the item can be served. Template items are also exercised: a number of variants are
drawn and every computed value, constraint and placeholder is checked on them.
"""

from __future__ import annotations

import itertools
import keyword
import math
import re
from typing import Any

from quizzes.engine.expressions import STUDENT_FUNCTIONS, ExpressionError, parse_constraint, parse_expression
from quizzes.engine.numbers import NumberFormatError, Tolerance, parse_number
from quizzes.engine.result import Variant
from quizzes.engine.templates import (
    VariantError,
    compute_values,
    constraints_hold,
    draw_variant,
    grid_size,
    grid_value,
    parameter_problems,
    placeholder_names,
    placeholder_problems,
    yaml_number,
)

KINDS = ("single", "multiple", "truefalse", "ordering", "numeric", "calculation", "symbolic", "table")
COMMON_FIELDS = {"key", "kind", "title", "topics", "difficulty", "stem", "explanation", "hints"}
KIND_FIELDS = {
    "single": {"choices", "shuffle"},
    "multiple": {"choices", "shuffle"},
    "truefalse": {"answer", "feedback_true", "feedback_false"},
    "ordering": {"steps"},
    "numeric": {"answer", "tolerance", "units", "misconceptions"},
    "calculation": {"params", "answer", "tolerance", "units", "constraints", "misconceptions"},
    "symbolic": {"symbols", "answer", "misconceptions"},
    "table": {"table", "tolerance", "params", "constraints"},
}
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VARIANT_SAMPLES = 24
MAX_CORNER_PARAMS = 6  # 2**6 corner combinations at most; beyond that, all-low and all-high only


def validate_item(item: Any) -> list[str]:
    try:
        return _validate(item)
    except Exception as error:  # noqa: BLE001 - the contract: never raise on bad input
        return [f"item: could not be checked ({type(error).__name__}: {error})"]


def _validate(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return ["item: must be a mapping of fields"]
    problems: list[str] = []
    problems += _common_problems(item)
    kind = item.get("kind")
    if kind not in KINDS:
        return problems
    unknown = sorted(set(item) - COMMON_FIELDS - KIND_FIELDS[kind])
    problems += [f"{field}: unknown field for a {kind} item" for field in unknown]
    problems += KIND_CHECKS[kind](item)
    if not any(
        problem.startswith(("params", "answer", "constraints", "table", "misconceptions"))
        for problem in problems
    ):
        problems += _placeholder_problems(item)
    return problems


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _common_problems(item: dict) -> list[str]:
    problems = []
    key = item.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append("key: required; lowercase letters, digits and '-' only")
    if item.get("kind") not in KINDS:
        problems.append(f"kind: must be one of {', '.join(KINDS)}, not {item.get('kind')!r}")
    if not _is_text(item.get("stem")):
        problems.append("stem: required text")
    if not _is_text(item.get("explanation")):
        problems.append("explanation: required text (shown after answering)")
    if "title" in item and not isinstance(item["title"], str):
        problems.append("title: must be text")
    hints = item.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(hint, str) for hint in hints):
        problems.append("hints: must be a list of texts")
    topics = item.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) and KEY_RE.match(t) for t in topics):
        problems.append("topics: must be a list of topic slugs (lowercase letters, digits, '-')")
    difficulty = item.get("difficulty", 2)
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        problems.append("difficulty: must be a whole number from 1 to 5")
    return problems


# --- kinds ------------------------------------------------------------------------------------


def _choice_problems(item: dict) -> list[str]:
    choices = item.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        return ["choices: need a list of at least two choices"]
    problems = []
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict) or not _is_text(choice.get("text")):
            problems.append(f"choices[{index}]: needs a `text`")
            continue
        if "correct" in choice and not isinstance(choice["correct"], bool):
            problems.append(f"choices[{index}].correct: must be true or false")
        if "feedback" in choice and not isinstance(choice["feedback"], str):
            problems.append(f"choices[{index}].feedback: must be text")
        extra = sorted(set(choice) - {"text", "correct", "feedback", "id"})
        problems += [f"choices[{index}].{field}: unknown field" for field in extra]
    valid = [choice for choice in choices if isinstance(choice, dict)]
    texts = [str(choice.get("text", "")).strip() for choice in valid]
    if len(set(texts)) != len(texts):
        problems.append("choices: two choices have the same text")
    ids = [str(choice["id"]) for choice in valid if choice.get("id")]
    if len(set(ids)) != len(ids):
        problems.append("choices: two choices have the same id")
    correct = sum(1 for choice in valid if choice.get("correct") is True)
    if item.get("kind") == "single" and correct != 1:
        problems.append(f"choices: a single-choice item needs exactly one correct choice, not {correct}")
    if item.get("kind") == "multiple" and correct < 1:
        problems.append("choices: a multiple-choice item needs at least one correct choice")
    if "shuffle" in item and not isinstance(item["shuffle"], bool):
        problems.append("shuffle: must be true or false")
    return problems


def _truefalse_problems(item: dict) -> list[str]:
    problems = []
    if not isinstance(item.get("answer"), bool):
        problems.append("answer: must be true or false")
    for field in ("feedback_true", "feedback_false"):
        if field in item and not isinstance(item[field], str):
            problems.append(f"{field}: must be text")
    return problems


def _ordering_problems(item: dict) -> list[str]:
    steps = item.get("steps")
    if not isinstance(steps, list) or len(steps) < 2:
        return ["steps: need a list of at least two steps, in the correct order"]
    problems = []
    texts = []
    for index, step in enumerate(steps):
        text = step.get("text") if isinstance(step, dict) else step
        if not _is_text(text):
            problems.append(f"steps[{index}]: must be text")
        texts.append(str(text).strip())
    if len(set(texts)) != len(texts):
        problems.append("steps: two steps have the same text")
    return problems


def _tolerance_problems(item: dict, key: float | None = None) -> list[str]:
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


def _number(value: Any) -> float | None:
    try:
        return float(parse_number(value))
    except NumberFormatError:
        return None


def _numeric_problems(item: dict) -> list[str]:
    key = _number(item.get("answer"))
    problems = [] if key is not None else ["answer: must be a finite number"]
    problems += _tolerance_problems(item, key)
    if "units" in item and not isinstance(item["units"], str):
        problems.append("units: must be text")
    misconceptions = item.get("misconceptions", [])
    if not isinstance(misconceptions, list):
        return [*problems, "misconceptions: must be a list"]
    for index, misconception in enumerate(misconceptions):
        where = f"misconceptions[{index}]"
        if not isinstance(misconception, dict):
            problems.append(f"{where}: must be a mapping with `answer` and `feedback`")
            continue
        value = _number(misconception.get("answer"))
        if value is None:
            problems.append(f"{where}.answer: must be a finite number")
        elif key is not None and not _tolerance_problems(item, key):
            if Tolerance.from_spec(item.get("tolerance")).accepts(key, value):
                problems.append(
                    f"{where}.answer: is accepted as correct by the tolerance, so it can never match"
                )
        problems += _misconception_fields(misconception, where)
    return problems


def _misconception_fields(misconception: dict, where: str) -> list[str]:
    problems = []
    if "feedback" in misconception and not isinstance(misconception["feedback"], str):
        problems.append(f"{where}.feedback: must be text")
    extra = sorted(set(misconception) - {"answer", "feedback", "id"})
    return problems + [f"{where}.{field}: unknown field" for field in extra]


def _params_problems(item: dict) -> list[str]:
    params = item.get("params", {})
    if params is None:
        return []
    if not isinstance(params, dict):
        return ["params: must be a mapping name -> {choices} or {min, max, step}"]
    problems = []
    for name, spec in params.items():
        problems += [f"params.{name}: {problem}" for problem in parameter_problems(name, spec)]
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


def _definition_problems(definition: Any, where: str, names: tuple[str, ...]) -> list[str]:
    """Static checks of `{expr}` / `{calc, args}` before any variant is drawn."""
    from quizzes.engine.calculators import CALCULATORS

    if isinstance(definition, int | float) and not isinstance(definition, bool):
        return [] if math.isfinite(definition) else [f"{where}: must be finite"]
    if isinstance(definition, str):
        definition = {"expr": definition}
    if not isinstance(definition, dict) or ("expr" in definition) == ("calc" in definition):
        return [f"{where}: needs exactly one of `expr` (an expression) or `calc` (a calculator name)"]
    if "expr" in definition:
        try:
            from quizzes.engine.expressions import AUTHOR_FUNCTIONS

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


def _calculation_problems(item: dict) -> list[str]:
    problems = _params_problems(item)
    names = tuple(
        sorted(str(name) for name in (item.get("params") or {}) if isinstance(item.get("params"), dict))
    )
    if "answer" not in item:
        problems.append("answer: required (`expr` or `calc`)")
    else:
        problems += _definition_problems(item["answer"], "answer", names)
    problems += _tolerance_problems(item)
    misconceptions = item.get("misconceptions", [])
    if not isinstance(misconceptions, list):
        problems.append("misconceptions: must be a list")
        misconceptions = []
    for index, misconception in enumerate(misconceptions):
        where = f"misconceptions[{index}]"
        if not isinstance(misconception, dict):
            problems.append(f"{where}: must be a mapping with `answer` and `feedback`")
            continue
        problems += _definition_problems(misconception.get("answer"), f"{where}.answer", names)
        problems += _misconception_fields(misconception, where)
    if problems:
        return problems
    return _variant_problems(item)


def _corner_parameters(item: dict) -> list[dict[str, Any]]:
    """Parameter sets at the ends of every range (where division by zero and the like hide)."""
    params_spec = item.get("params") or {}
    ends = {}
    for name in sorted(params_spec):
        spec = params_spec[name]
        if "choices" in spec:
            ends[name] = list(
                dict.fromkeys([yaml_number(spec["choices"][0]), yaml_number(spec["choices"][-1])])
            )
        else:
            ends[name] = list(dict.fromkeys([grid_value(spec, 0), grid_value(spec, grid_size(spec) - 1)]))
    if len(ends) > MAX_CORNER_PARAMS:
        return [
            {name: values[0] for name, values in ends.items()},
            {name: values[-1] for name, values in ends.items()},
        ]
    return [dict(zip(ends, combination, strict=True)) for combination in itertools.product(*ends.values())]


def _variant_problems(item: dict) -> list[str]:
    """Exercise the template: every corner of the parameter ranges that meets the constraints,
    and a sample of seeded draws. Every computed value must be finite, and no misconception
    may coincide with the key."""
    tolerance = Tolerance.from_spec(item.get("tolerance"))
    problems: list[str] = []
    variants = []
    for params in _corner_parameters(item):
        try:
            if constraints_hold(item, params):
                values, wrong_answers = compute_values(item, params)
                variants.append(Variant(0, params, values, wrong_answers))
        except (VariantError, NotImplementedError) as error:
            problems.append(f"{_field_of(error)}: {error} (parameters {params})")
            break
    for seed in range(VARIANT_SAMPLES):
        try:
            variants.append(draw_variant(item, seed))
        except (VariantError, NotImplementedError) as error:
            problems.append(f"{_field_of(error)}: {error} (seed {seed})")
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


def _field_of(error: Exception) -> str:
    text = str(error)
    if "constraint" in text or "tries" in text:
        return "constraints"
    if text.startswith("table"):
        return "table"
    return "answer"


def _symbolic_problems(item: dict) -> list[str]:
    symbols = item.get("symbols")
    problems = []
    if not isinstance(symbols, list) or not symbols:
        return ["symbols: need a non-empty list of names the student may use"]
    for symbol in symbols:
        if (
            not isinstance(symbol, str)
            or not symbol.isidentifier()
            or keyword.iskeyword(symbol)
            or "__" in symbol
        ):
            problems.append(f"symbols: {symbol!r} is not a usable name")
        elif symbol in STUDENT_FUNCTIONS:
            problems.append(f"symbols: {symbol!r} is a function name")
    if len(set(map(str, symbols))) != len(symbols):
        problems.append("symbols: a name is listed twice")
    if problems:
        return problems
    from quizzes.engine.symbolic import compare, parse_key

    try:
        key = parse_key(item, item.get("answer"))
    except ExpressionError as error:
        return [f"answer: {error}"]
    misconceptions = item.get("misconceptions", [])
    if not isinstance(misconceptions, list):
        return ["misconceptions: must be a list"]
    for index, misconception in enumerate(misconceptions):
        where = f"misconceptions[{index}]"
        if not isinstance(misconception, dict):
            problems.append(f"{where}: must be a mapping with `answer` and `feedback`")
            continue
        try:
            wrong = parse_key(item, misconception.get("answer"))
        except ExpressionError as error:
            problems.append(f"{where}.answer: {error}")
            continue
        if compare(wrong, key, "validation")[0]:
            problems.append(f"{where}.answer: is equivalent to the key, so it can never match")
        problems += _misconception_fields(misconception, where)
    return problems


def _table_problems(item: dict) -> list[str]:
    from quizzes.engine import tables

    problems = _params_problems(item) + _tolerance_problems(item) + tables.spec_problems(item)
    return problems or _variant_problems(item)


KIND_CHECKS = {
    "single": _choice_problems,
    "multiple": _choice_problems,
    "truefalse": _truefalse_problems,
    "ordering": _ordering_problems,
    "numeric": _numeric_problems,
    "calculation": _calculation_problems,
    "symbolic": _symbolic_problems,
    "table": _table_problems,
}


# --- placeholders -----------------------------------------------------------------------------


def _texts_with_placeholders(item: dict) -> list[tuple[str, str]]:
    texts = [
        ("stem", item.get("stem")),
        ("explanation", item.get("explanation")),
        ("title", item.get("title")),
    ]
    texts += [(f"hints[{i}]", hint) for i, hint in enumerate(item.get("hints") or [])]
    for index, choice in enumerate(item.get("choices") or []):
        if isinstance(choice, dict):
            texts += [
                (f"choices[{index}].text", choice.get("text")),
                (f"choices[{index}].feedback", choice.get("feedback")),
            ]
    for index, step in enumerate(item.get("steps") or []):
        texts.append((f"steps[{index}]", step.get("text") if isinstance(step, dict) else step))
    texts += [("feedback_true", item.get("feedback_true")), ("feedback_false", item.get("feedback_false"))]
    for index, misconception in enumerate(item.get("misconceptions") or []):
        if isinstance(misconception, dict):
            texts.append((f"misconceptions[{index}].feedback", misconception.get("feedback")))
    return [(where, text) for where, text in texts if isinstance(text, str)]


# Texts shown before the student answers; the rest (explanation, feedback) may show the key.
_STUDENT_FACING = ("stem", "title", "hints", "choices[", "steps[")


def _placeholder_problems(item: dict) -> list[str]:
    from quizzes.engine.common import hidden_names

    try:
        variant = draw_variant(item, 0)
    except (VariantError, NotImplementedError) as error:
        return [f"params: no variant could be drawn: {error}"]
    available = set(variant.values)
    hidden = hidden_names(item, variant)
    problems = []
    for where, text in _texts_with_placeholders(item):
        for name in placeholder_names(text):
            facing = where.startswith(_STUDENT_FACING) and not where.endswith(".feedback")
            if facing and name in hidden:
                problems.append(f"{where}: {{{{{name}}}}} would reveal the key before the student answers")
            elif name not in available:
                known = ", ".join(sorted(available)) or "none (this item has no parameters)"
                problems.append(f"{where}: unknown placeholder {{{{{name}}}}}; available: {known}")
        problems += [f"{where}: {problem}" for problem in placeholder_problems(text)]
    return problems
