"""numeric items: a typed number judged against the spec's `answer` with a tolerance.

Misconceptions are checked with the same tolerance, only when the answer is wrong. `calculation`
items reuse this checking with a key computed per variant (see calculation.py).
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import misconception_label
from quizzes.engine.kinds.base import BaseKind, ItemDict, ItemKind
from quizzes.engine.kinds.checks import misconception_problems, number_or_none, tolerance_problems
from quizzes.engine.numbers import (
    NumberFormatError,
    Tolerance,
    format_number,
    number_as_decimal_text,
    parse_number,
)
from quizzes.engine.result import CORRECT, INCORRECT, INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.templates import fill


class NumericKind(BaseKind):
    kind = ItemKind.NUMERIC
    fields = frozenset({"answer", "tolerance", "units", "misconceptions"})
    widget = Widget.NUMBER
    example = """\
# Example stem: "With beta = 0.9, roughly how many recent gradients does the momentum average over?"
answer: 10
tolerance: {mode: relative, value: 1e-3}   # absolute | relative | sigfigs (value = significant figures)
units: ""                                  # optional, shown next to the input
misconceptions:
  - answer: 0.9
    feedback: That is beta itself; the effective number of gradients is 1 / (1 - beta).
"""

    def problems(self, item: ItemDict) -> list[str]:
        key = number_or_none(item.get("answer"))
        problems = [] if key is not None else ["answer: must be a finite number"]
        problems += tolerance_problems(item, key)
        if "units" in item and not isinstance(item["units"], str):
            problems.append("units: must be text")

        def answer_problems(misconception: dict[str, Any], where: str) -> list[str]:
            value = number_or_none(misconception.get("answer"))
            if value is None:
                return [f"{where}.answer: must be a finite number"]
            if key is not None and not tolerance_problems(item, key):
                if Tolerance.from_spec(item.get("tolerance")).accepts(key, value):
                    return [f"{where}.answer: is accepted as correct by the tolerance, so it can never match"]
            return []

        return problems + misconception_problems(item, answer_problems)

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        rendered.units = str(item.get("units") or "")
        return rendered

    def key_value(self, item: ItemDict, variant: Variant) -> float:
        return float(parse_number(item.get("answer")))

    def misconceptions(self, item: ItemDict, variant: Variant) -> list[tuple[dict[str, Any], Any]]:
        """(misconception spec, its wrong answer under `variant`) for each listed misconception."""
        specs = [spec for spec in item.get("misconceptions") or [] if isinstance(spec, dict)]
        return [(spec, spec.get("answer")) for spec in specs]

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        key = self.key_value(item, variant)
        tolerance = Tolerance.from_spec(item.get("tolerance"))
        units = f" {item['units']}" if item.get("units") else ""
        correct_answer = f"{format_number(key)}{units}"
        try:
            given = parse_number(response)
        except NumberFormatError as error:
            return CheckResult(
                INVALID, 0.0, [str(error)], details={"input": response if isinstance(response, str) else ""}
            )
        details = {"parsed": number_as_decimal_text(given), "tolerance": tolerance.describe()}
        if tolerance.accepts(key, given):
            return CheckResult(
                CORRECT,
                1.0,
                [],
                correct_answer=correct_answer,
                explanation=self.explanation(item, variant),
                details=details,
            )
        feedback: list[str] = []
        misconception = None
        for index, (spec, value) in enumerate(self.misconceptions(item, variant)):
            if value is None:
                continue
            try:
                matched = tolerance.accepts(float(parse_number(value)), given)
            except (NumberFormatError, ValueError, TypeError):
                continue
            if matched:
                misconception = misconception_label(spec, index)
                if spec.get("feedback"):
                    feedback.append(fill(str(spec["feedback"]), variant.values))
                break
        return CheckResult(
            INCORRECT,
            0.0,
            feedback,
            misconception=misconception,
            correct_answer=correct_answer,
            explanation=self.explanation(item, variant),
            details=details,
        )

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return str(item["answer"])


HANDLER = NumericKind()
