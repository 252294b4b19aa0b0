"""calculation items: a numeric item whose key is computed per variant from drawn parameters.

`answer` is an expression over the parameters or a calculator (`calculators.py`); misconceptions
are computed the same way. Checking is the numeric kind's, with the variant's key.
"""

from __future__ import annotations

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
from quizzes.engine.result import Variant
from quizzes.engine.templates import compute, finite_value


class CalculationKind(NumericKind):
    kind = ItemKind.CALCULATION
    fields = frozenset({"params", "answer", "tolerance", "units", "constraints", "misconceptions"})
    templated = True
    example = """\
# Placeholders such as {{eta}} and {{answer}} in the stem and explanation are filled per variant.
params:
  eta: {choices: [0.1, 0.01, 0.001]}
  g: {min: 5, max: 50, step: 1}          # inclusive grid; step defaults to 1
answer:
  expr: eta * g                         # a SymPy expression over the parameters
# or a calculator running the reference optimizers:
# answer: {calc: momentum_position, args: {optimizer: momentum, steps: 3}}
tolerance: {mode: relative, value: 1e-6}
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


HANDLER = CalculationKind()
