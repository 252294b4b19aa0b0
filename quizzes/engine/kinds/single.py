"""single items: exactly one correct choice; the response is the picked choice's id."""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.base import ANSWER_FIELD, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.choices import ChoiceKind
from quizzes.engine.result import Variant, Widget


class SingleKind(ChoiceKind):
    kind = ItemKind.SINGLE
    widget = Widget.CHOICE
    invalid_message = "Pick one of the listed choices."
    example = """\
# Exactly one choice is correct. Feedback is optional; it is shown when that choice was picked.
choices:
  - text: It keeps a decaying sum of past gradients, so directions that keep flipping cancel out
    correct: true
    feedback: Yes. Steady directions build up speed while oscillating ones damp each other.
  - text: It lowers the learning rate a little after every step
    feedback: That is a learning-rate schedule, not momentum.
  - text: It divides each coordinate's step by the size of its past gradients
    feedback: That is the idea behind AdaGrad and RMSProp.
shuffle: true          # default true
"""

    def correct_count_problems(self, correct: int) -> list[str]:
        if correct != 1:
            return [f"choices: a single-choice item needs exactly one correct choice, not {correct}"]
        return []

    def picked(self, response: Any) -> list[str] | None:
        return [response] if isinstance(response, str) and response else None

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return self.correct_ids(item)[0]

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return form.get(ANSWER_FIELD, "")


HANDLER = SingleKind()
