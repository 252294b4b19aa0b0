"""ordering items: score = fraction of adjacent pairs of the correct order that the student
placed in the right relative order (not necessarily adjacent). Since the pairs chain, all of
them are kept only by the exact order, so 1.0 means fully right. The response is the list of
step ids in the student's order."""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import shuffled, stable_id
from quizzes.engine.kinds.base import ORDER_FIELD, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.checks import is_text
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.templates import fill


def _step_text(entry: Any) -> str:
    return str(entry.get("text", "")) if isinstance(entry, dict) else str(entry)


class OrderingKind(BaseKind):
    kind = ItemKind.ORDERING
    fields = frozenset({"steps"})
    widget = Widget.ORDERING
    example = """\
# List the steps in the correct order; students see them shuffled.
steps:
  - Check that the logged loss and metrics are computed correctly
  - Tune the learning rate
  - Choose the optimizer
  - Add a learning-rate schedule
  - Add stabilizers such as gradient clipping or warmup
"""

    def problems(self, item: ItemDict) -> list[str]:
        steps = item.get("steps")
        if not isinstance(steps, list) or len(steps) < 2:
            return ["steps: need a list of at least two steps, in the correct order"]
        problems = []
        texts = []
        for index, step in enumerate(steps):
            text = step.get("text") if isinstance(step, dict) else step
            if not is_text(text):
                problems.append(f"steps[{index}]: must be text")
            texts.append(str(text).strip())
        if len(set(texts)) != len(texts):
            problems.append("steps: two steps have the same text")
        return problems

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        entries = shuffled(
            list(item.get("steps") or []), variant.seed, f"steps|{item.get('key')}", avoid_identity=True
        )
        values = self.visible_values(item, variant)
        rendered.steps = [
            {"id": stable_id("s", entry), "text": fill(_step_text(entry), values)} for entry in entries
        ]
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        entries = list(item.get("steps") or [])
        correct_ids = [stable_id("s", entry) for entry in entries]
        correct_answer = "\n".join(
            f"{number}. {fill(_step_text(entry), variant.values)}"
            for number, entry in enumerate(entries, start=1)
        )
        if (
            not isinstance(response, list | tuple)
            or sorted(map(str, response)) != sorted(correct_ids)
            or len(set(response)) != len(response)
        ):
            return CheckResult(INVALID, 0.0, ["Place every step exactly once."])
        position = {step_id: index for index, step_id in enumerate(response)}
        pairs = list(zip(correct_ids, correct_ids[1:], strict=False))
        kept = sum(1 for first, second in pairs if position[first] < position[second])
        score = kept / len(pairs) if pairs else 1.0
        feedback = (
            [] if score >= 1.0 else [f"{kept} of {len(pairs)} consecutive pairs are in the right order."]
        )
        details = {"pairs_in_order": kept, "pairs": len(pairs)}
        return self.result_for_score(item, variant, score, feedback, correct_answer, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return [stable_id("s", step) for step in item["steps"]]

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return form.getlist(ORDER_FIELD)


HANDLER = OrderingKind()
