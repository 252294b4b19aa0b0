"""truefalse items: the stem is a statement; the response is a bool or "true"/"false" (and t/yes/1...)."""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.base import ANSWER_FIELD, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.result import CORRECT, INCORRECT, INVALID, CheckResult, Variant, Widget
from quizzes.engine.templates import fill

_TRUE_WORDS = {"true", "t", "yes", "1"}
_FALSE_WORDS = {"false", "f", "no", "0"}


def parse_truefalse(response: Any) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, str):
        word = response.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


class TrueFalseKind(BaseKind):
    kind = ItemKind.TRUEFALSE
    fields = frozenset({"answer", "feedback_true", "feedback_false"})
    widget = Widget.TRUEFALSE
    example = """\
# The statement itself goes in the stem. Example stem: "Adam's bias correction matters most late in training."
answer: false
feedback_true: The correction divides by 1 - beta^t, which is close to 1 once t is large.
feedback_false: Right; it matters in the first steps, while the averages are still near their zero start.
"""

    def problems(self, item: ItemDict) -> list[str]:
        problems = []
        if not isinstance(item.get("answer"), bool):
            problems.append("answer: must be true or false")
        for field in ("feedback_true", "feedback_false"):
            if field in item and not isinstance(item[field], str):
                problems.append(f"{field}: must be text")
        return problems

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        answer = bool(item.get("answer"))
        given = parse_truefalse(response)
        if given is None:
            return CheckResult(INVALID, 0.0, ["Answer true or false."])
        feedback_text = item.get("feedback_true" if given else "feedback_false")
        feedback = [fill(str(feedback_text), variant.values)] if feedback_text else []
        right = given == answer
        return CheckResult(
            CORRECT if right else INCORRECT,
            1.0 if right else 0.0,
            feedback,
            correct_answer="True" if answer else "False",
            explanation=self.explanation(item, variant),
        )

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return bool(item["answer"])

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return form.get(ANSWER_FIELD, "")


HANDLER = TrueFalseKind()
