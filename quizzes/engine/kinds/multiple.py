"""multiple items: one or more correct choices; the response is the list of ticked ids."""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.base import ANSWER_FIELD, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.choices import ChoiceKind
from quizzes.engine.result import Variant, Widget


class MultipleKind(ChoiceKind):
    kind = ItemKind.MULTIPLE
    widget = Widget.CHOICES
    example = """\
# One or more choices are correct. Score = max(0, (right picks - wrong picks) / number of correct choices).
choices:
  - text: Adam keeps an exponentially weighted average of the gradients
    correct: true
  - text: Adam keeps an exponentially weighted average of the squared gradients
    correct: true
  - text: Adam needs no learning rate at all
    feedback: It still has one; the usual default is 0.001.
shuffle: true
"""

    def correct_count_problems(self, correct: int) -> list[str]:
        return ["choices: a multiple-choice item needs at least one correct choice"] if correct < 1 else []

    def picked(self, response: Any) -> list[str] | None:
        if isinstance(response, list | tuple) and all(isinstance(choice, str) for choice in response):
            return list(dict.fromkeys(response))
        return None

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return self.correct_ids(item)

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return form.getlist(ANSWER_FIELD)


HANDLER = MultipleKind()
