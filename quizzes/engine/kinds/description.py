"""description items: text shown inside a quiz (an introduction, a figure, a reminder), with no answer.

A description is never scored: `scored` is false, attempts leave it out of their mean and item
statistics leave it out too. Its explanation is optional. Checking it accepts anything and gives
full marks, so the engine's contract (the correct response scores 1.0) still holds.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.base import BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.result import CORRECT, CheckResult, Variant, Widget

NO_KEY = "No answer: a description is only read, never scored."


class DescriptionKind(BaseKind):
    kind = ItemKind.DESCRIPTION
    fields = frozenset()
    widget = Widget.NONE
    scored = False
    example = """\
# Only the stem is shown: no answer, no score. The explanation is optional for a description.
"""

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        return CheckResult(
            CORRECT, 1.0, [], correct_answer=NO_KEY, explanation=self.explanation(item, variant)
        )

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return ""

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        return NO_KEY

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return ""


HANDLER = DescriptionKind()
