"""numeric and calculation items: a typed number judged against the key with a tolerance.

The key is `answer` of the spec (numeric) or the variant's computed `answer` (calculation).
Misconceptions are checked with the same tolerance, only when the answer is wrong.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import base_rendering, explanation, misconception_label
from quizzes.engine.numbers import (
    NumberFormatError,
    Tolerance,
    format_number,
    number_as_decimal_text,
    parse_number,
)
from quizzes.engine.result import CORRECT, INCORRECT, INVALID, CheckResult, RenderedItem, Variant
from quizzes.engine.templates import fill


def render(item: dict, variant: Variant) -> RenderedItem:
    rendered = base_rendering(item, variant, "number")
    rendered.units = str(item.get("units") or "")
    return rendered


def key_value(item: dict, variant: Variant) -> float:
    if item.get("kind") == "calculation":
        return float(variant.values["answer"])
    return float(parse_number(item.get("answer")))


def check(item: dict, variant: Variant, response: Any) -> CheckResult:
    key = key_value(item, variant)
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
            explanation=explanation(item, variant),
            details=details,
        )
    feedback: list[str] = []
    misconception = None
    for index, (spec, value) in enumerate(_misconceptions(item, variant)):
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
        explanation=explanation(item, variant),
        details=details,
    )


def _misconceptions(item: dict, variant: Variant) -> list[tuple[dict, Any]]:
    specs = [spec for spec in item.get("misconceptions") or [] if isinstance(spec, dict)]
    if item.get("kind") == "calculation":
        answers = list(variant.misconception_answers) + [None] * len(specs)
        return list(zip(specs, answers, strict=False))
    return [(spec, spec.get("answer")) for spec in specs]
