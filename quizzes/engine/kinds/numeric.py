"""numeric items: a typed number judged against the spec's `answer` with a tolerance.

Misconceptions are checked, in order, only when the answer is wrong: each with its own `tolerance`
(else the item's) and its own `fraction` of the marks (else none), so Moodle's numerical answers all
fit: several graded answers, each with its tolerance, fraction and feedback, a second fully correct one
included. `answer_feedback` is shown with a right answer. `unit_options` holds Moodle's units and unit
grading (`units.py`). `calculation` items reuse this checking with a key computed per variant
(see calculation.py).
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
from quizzes.engine.result import (
    INCORRECT,
    INVALID,
    CheckResult,
    RenderedItem,
    Variant,
    Widget,
    status_for_score,
)
from quizzes.engine.templates import fill
from quizzes.engine.units import accepted_units, split_unit, unit_options_problems, unit_penalised


class NumericKind(BaseKind):
    kind = ItemKind.NUMERIC
    fields = frozenset({"answer", "tolerance", "units", "misconceptions", "answer_feedback", "unit_options"})
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
        if "answer_feedback" in item and not isinstance(item["answer_feedback"], str):
            problems.append("answer_feedback: must be text")
        if "unit_options" in item:
            problems += unit_options_problems(item["unit_options"])

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
        if isinstance(item.get("unit_options"), dict):
            rendered.accepted_units = accepted_units(item["unit_options"])
        return rendered

    def key_value(self, item: ItemDict, variant: Variant) -> float:
        return float(parse_number(item.get("answer")))

    def key_text(self, item: ItemDict, key: float) -> str:
        """The key as the correct answer shows it."""
        return format_number(key)

    def misconceptions(self, item: ItemDict, variant: Variant) -> list[tuple[dict[str, Any], Any]]:
        """(misconception spec, its wrong answer under `variant`) for each listed misconception."""
        specs = [spec for spec in item.get("misconceptions") or [] if isinstance(spec, dict)]
        return [(spec, spec.get("answer")) for spec in specs]

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        key = self.key_value(item, variant)
        tolerance = Tolerance.from_spec(item.get("tolerance"))
        units = f" {item['units']}" if item.get("units") else ""
        unit_options = item.get("unit_options") if isinstance(item.get("unit_options"), dict) else None
        if unit_options is not None and not accepted_units(unit_options):
            unit_options = None  # `show: none`: Moodle grades the number alone, in the first unit
        if unit_options:
            units = f" {accepted_units(unit_options)[0]}"
        correct_answer = f"{self.key_text(item, key)}{units}"
        typed = split_unit(response, unit_options) if unit_options and isinstance(response, str) else None
        if unit_options and isinstance(response, str) and typed is None:
            known = ", ".join(accepted_units(unit_options))
            message = f"Type the number followed by one of the units: {known}."
            return CheckResult(INVALID, 0.0, [message], details={"input": response})
        try:
            given = parse_number(typed.number if typed is not None else response)
        except NumberFormatError as error:
            return CheckResult(
                INVALID, 0.0, [str(error)], details={"input": response if isinstance(response, str) else ""}
            )
        if typed is not None and typed.unit is not None:
            given = given / parse_number(repr(typed.multiplier))
        details: dict[str, Any] = {"parsed": number_as_decimal_text(given), "tolerance": tolerance.describe()}
        feedback: list[str] = []
        misconception = None
        if tolerance.accepts(key, given):
            score = 1.0
            if item.get("answer_feedback"):
                feedback.append(fill(str(item["answer_feedback"]), variant.values))
        else:
            score = 0.0
            for index, (spec, value) in enumerate(self.misconceptions(item, variant)):
                if value is None:
                    continue
                own = Tolerance.from_spec(spec["tolerance"]) if "tolerance" in spec else tolerance
                try:
                    matched = own.accepts(float(parse_number(value)), given)
                except (NumberFormatError, ValueError, TypeError):
                    continue
                if matched:
                    score = float(spec.get("fraction", 0.0))
                    if score <= 0:  # a graded answer worth marks is no slip
                        misconception = misconception_label(spec, index)
                    if spec.get("feedback"):
                        feedback.append(fill(str(spec["feedback"]), variant.values))
                    break
        if unit_options and typed is not None and typed.unit is None:
            penalised = unit_penalised(score, unit_options)
            if penalised < score:
                feedback.append(
                    f"The unit is missing: type one of {', '.join(accepted_units(unit_options))}."
                )
                details["unit_penalty"] = score - penalised
                score = penalised
        result = CheckResult(
            status_for_score(score) if score > 0 else INCORRECT,
            score,
            feedback,
            misconception=misconception,
            correct_answer=correct_answer,
            explanation=self.explanation(item, variant),
            details=details,
        )
        return result

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return str(item["answer"])


HANDLER = NumericKind()
