"""Between HTML forms and the engine's response formats.

`response_from_form` turns a posted item form into the response the engine expects, asking the
item's kind (`quizzes/engine/kinds/`); `widget_state` goes the other way, telling the template what to pre-fill
(the stored answer, or the text a student typed before an "invalid" verdict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.http import QueryDict

from quizzes.engine.kinds import handler_for
from quizzes.engine.kinds.base import ANSWER_FIELD, CELL_PREFIX, MAX_TEXT_LENGTH, ORDER_FIELD, FormData
from quizzes.engine.result import Widget

__all__ = ["ANSWER_FIELD", "CELL_PREFIX", "MAX_TEXT_LENGTH", "MOVE_FIELD", "ORDER_FIELD"]

# The no-JS "move a step" button of ordering items (a page action, not part of a response).
MOVE_FIELD = "move"


def response_from_form(rendered: dict[str, Any], data: QueryDict) -> Any:
    """The engine-format response for one posted item form: the item kind reads its own fields."""
    return handler_for(rendered["kind"]).response_from_form(rendered, cast(FormData, data))


def reorder(step_ids: list[str], move: str) -> list[str]:
    """Apply a no-JS "move" button, given as "<step id>:up" or "<step id>:down"."""
    step_id, _, direction = move.rpartition(":")
    if step_id not in step_ids or direction not in {"up", "down"}:
        return list(step_ids)
    order = list(step_ids)
    index = order.index(step_id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    return order


@dataclass
class WidgetState:
    """What an item's inputs show: the picked choices, typed text, table cells, step order, matches or
    a cloze item's blanks."""

    selected: set[str] = field(default_factory=set)
    text: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    steps: list[dict[str, str]] = field(default_factory=list)
    matches: dict[str, str] = field(default_factory=dict)
    blanks: dict[str, str | list[str]] = field(default_factory=dict)


def widget_state(rendered: dict[str, Any], response: Any) -> WidgetState:
    """Pre-fill values for the item's widget from a stored or draft response (None: empty form)."""
    state = WidgetState(steps=list(rendered.get("steps") or []))
    if response is None:
        return state
    widget = rendered["input"]
    if widget in {Widget.CHOICE, Widget.TRUEFALSE}:
        state.selected = {str(response).lower() if isinstance(response, bool) else str(response)}
    elif widget == Widget.CHOICES and isinstance(response, list):
        state.selected = {str(choice) for choice in response}
    elif widget == Widget.ORDERING and isinstance(response, list):
        by_id = {step["id"]: step for step in state.steps}
        ordered = [by_id[step_id] for step_id in response if step_id in by_id]
        # Steps missing from a tampered or partial order keep their shuffled place at the end.
        state.steps = ordered + [step for step in state.steps if step not in ordered]
    elif widget == Widget.MATCHING and isinstance(response, dict):
        state.matches = {str(prompt): str(option) for prompt, option in response.items()}
    elif widget == Widget.CLOZE and isinstance(response, dict):
        state.blanks = {
            str(number): [str(v) for v in value] if isinstance(value, list) else str(value)
            for number, value in response.items()
        }
    elif widget == Widget.TABLE and isinstance(response, dict):
        state.cells = {str(name): str(value) for name, value in response.items()}
    elif isinstance(response, str):
        state.text = response
    return state
