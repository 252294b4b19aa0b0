"""calculation items: a numeric item whose key is computed per variant from drawn parameters.

`answer` is an expression over the parameters or a calculator (`calculators.py`); misconceptions
are computed the same way, each with its own optional `fraction` and `tolerance` (Moodle's other graded
answers). Checking is the numeric kind's, with the variant's key: `answer_feedback` and `unit_options`
work as there. `answer_format` (`{decimals: n}` or `{sigfigs: n}`, Moodle's correct answer length) sets
how the correct answer is shown; the tolerance alone decides what is accepted.
"""

from __future__ import annotations

import math
from typing import Any

from quizzes.engine.kinds.base import ItemDict, ItemKind
from quizzes.engine.kinds.checks import (
    definition_problems,
    misconception_problems,
    params_problems,
    tolerance_problems,
    variant_problems,
)
from quizzes.engine.kinds.numeric import NumericKind
from quizzes.engine.numbers import format_number
from quizzes.engine.result import Variant
from quizzes.engine.templates import compute, finite_value
from quizzes.engine.units import unit_options_problems


class CalculationKind(NumericKind):
    kind = ItemKind.CALCULATION
    fields = frozenset(
        {
            "params",
            "answer",
            "tolerance",
            "units",
            "constraints",
            "misconceptions",
            "answer_feedback",
            "unit_options",
            "answer_format",
        }
    )
    templated = True
    example = """\
# Placeholders such as {{eta}} and {{answer}} in the stem and explanation are filled per variant.
params:
  eta: {choices: [0.1, 0.01, 0.001]}
  g: {min: 5, max: 50, step: 1}          # inclusive grid; step defaults to 1
# paired parameters are drawn together, the i-th value of each (Moodle's dataset items):
#   lr: {choices: [0.1, 0.01], paired: true}
#   t: {choices: [1, 10], paired: true}
answer:
  expr: eta * g                         # a SymPy expression over the parameters
# or a calculator running the reference optimizers:
# answer: {calc: momentum_position, args: {optimizer: momentum, steps: 3}}
tolerance: {mode: relative, value: 1e-6}
# answer_format: {sigfigs: 3}           # optional: how the correct answer is shown ({decimals: n} too)
constraints: ["eta * g < 1"]             # optional; a variant is redrawn until every one holds
misconceptions:
  - answer: {expr: g / eta}
    feedback: That divides by the learning rate instead of multiplying.
"""

    def problems(self, item: ItemDict) -> list[str]:
        problems = params_problems(item)
        params = item.get("params")
        names = tuple(sorted(str(name) for name in (params or {}) if isinstance(params, dict)))
        if "answer" not in item:
            problems.append("answer: required (`expr` or `calc`)")
        else:
            problems += definition_problems(item["answer"], "answer", names)
        problems += tolerance_problems(item)
        if "answer_feedback" in item and not isinstance(item["answer_feedback"], str):
            problems.append("answer_feedback: must be text")
        if "unit_options" in item:
            problems += unit_options_problems(item["unit_options"])
        if "answer_format" in item:
            problems += answer_format_problems(item["answer_format"])

        def answer_problems(misconception: dict[str, Any], where: str) -> list[str]:
            return definition_problems(misconception.get("answer"), f"{where}.answer", names)

        problems += misconception_problems(item, answer_problems)
        if problems:
            return problems
        return variant_problems(item, self.values)

    def values(self, item: ItemDict, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        values = dict(params)
        result = compute(item.get("answer"), params)
        if isinstance(result, dict):
            for name, extra in result.items():
                values[name] = finite_value(extra, f"calculator value {name!r}")
        else:
            values["answer"] = finite_value(result, "the answer")
        misconception_answers: list[Any] = []
        for misconception in item.get("misconceptions") or []:
            definition = misconception.get("answer") if isinstance(misconception, dict) else None
            wrong = compute(definition, params)
            wrong = wrong["answer"] if isinstance(wrong, dict) else wrong
            misconception_answers.append(finite_value(wrong, "a misconception answer"))
        return values, misconception_answers

    def key_text(self, item: ItemDict, key: float) -> str:
        answer_format = item.get("answer_format")
        if not isinstance(answer_format, dict) or answer_format_problems(answer_format):
            return super().key_text(item, key)
        if "decimals" in answer_format:
            return f"{key:.{int(answer_format['decimals'])}f}"
        return significant_text(key, int(answer_format["sigfigs"]))

    def has_key_values(self, item: ItemDict, variant: Variant) -> bool:
        return "answer" in variant.values

    def key_value(self, item: ItemDict, variant: Variant) -> float:
        return float(variant.values["answer"])

    def misconceptions(self, item: ItemDict, variant: Variant) -> list[tuple[dict[str, Any], Any]]:
        specs = [spec for spec in item.get("misconceptions") or [] if isinstance(spec, dict)]
        answers = list(variant.misconception_answers) + [None] * len(specs)
        return list(zip(specs, answers, strict=False))

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return repr(float(variant.values["answer"]))


ANSWER_FORMATS = ("decimals", "sigfigs")


def answer_format_problems(spec: Any) -> list[str]:
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ANSWER_FORMATS:
        return ["answer_format: must be `{decimals: n}` or `{sigfigs: n}`"]
    ((name, value),) = spec.items()
    low = 0 if name == "decimals" else 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 15:
        return [f"answer_format.{name}: must be a whole number from {low} to 15"]
    return []


def significant_text(value: float, figures: int) -> str:
    """`value` rounded to `figures` significant figures, written without an exponent when it is moderate."""
    if value == 0 or not math.isfinite(value):
        return format_number(value)
    rounded = float(f"{value:.{figures - 1}e}")
    exponent = math.floor(math.log10(abs(rounded)))
    if not -5 <= exponent < 15:
        return f"{value:.{figures - 1}e}"
    decimals = figures - 1 - exponent
    return f"{rounded:.{decimals}f}" if decimals >= 0 else f"{rounded:.0f}"


HANDLER = CalculationKind()
