"""ordering items: score = fraction of adjacent pairs of the correct order that the student
placed in the right relative order (not necessarily adjacent). Since the pairs chain, all of
them are kept only by the exact order, so 1.0 means fully right. The response is the list of
step ids in the student's order.

`grading` picks another rule, those of Moodle's ordering question (qtype_ordering), scored as it does:
all_or_nothing; absolute_position (steps in their own place / steps); relative_next_exclude_last and
relative_next_include_last (steps followed by the step that follows them in the key, the last one
counting only in the second, when it is also last); relative_one_previous_and_next and
relative_all_previous_and_next (right neighbours, or right sets of steps before and after);
longest_ordered_subset and longest_contiguous_subset (the longest run in key order, in any places or
in consecutive key positions, over the number of steps; a run of one counts nothing);
relative_to_correct (per step, steps − 1 − its distance from its place, over steps × (steps − 1)).
`layout: horizontal` shows the steps side by side, as Moodle's horizontal layout does."""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import shuffled, stable_id
from quizzes.engine.kinds.base import ORDER_FIELD, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.checks import is_text
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.templates import fill

PAIRS = "pairs"  # our rule, the default
GRADINGS = (
    PAIRS,
    "all_or_nothing",
    "absolute_position",
    "relative_next_exclude_last",
    "relative_next_include_last",
    "relative_one_previous_and_next",
    "relative_all_previous_and_next",
    "longest_ordered_subset",
    "longest_contiguous_subset",
    "relative_to_correct",
)
LAYOUTS = ("vertical", "horizontal")


def _next_of(order: list[str], include_last: bool) -> dict[str, str]:
    follows = {first: second for first, second in zip(order, order[1:], strict=False)}
    if include_last and order:
        follows[order[-1]] = ""  # "nothing follows": right only when it is last in the key too
    return follows


def _neighbours(order: list[str], everything: bool) -> dict[str, tuple[set[str], set[str]]]:
    found = {}
    for index, step in enumerate(order):
        if everything:
            found[step] = (set(order[:index]), set(order[index + 1 :]))
        else:
            before = order[index - 1] if index else ""
            after = order[index + 1] if index + 1 < len(order) else ""
            found[step] = ({before}, {after})
    return found


def _longest_run(places: list[int], contiguous: bool) -> int:
    """Longest chain of key places in response order, increasing (by exactly 1 when contiguous)."""
    best = [1] * len(places)
    for index, place in enumerate(places):
        for earlier in range(index):
            fits = places[earlier] == place - 1 if contiguous else places[earlier] < place
            if fits:
                best[index] = max(best[index], best[earlier] + 1)
    longest = max(best, default=0)
    return longest if longest > 1 else 0  # Moodle ignores a run of a single step


def graded(grading: str, key: list[str], response: list[str]) -> tuple[int, int]:
    """(points earned, points possible) under `grading`, for a response holding every step once."""
    position = {step: index for index, step in enumerate(response)}
    count = len(key)
    if grading == "all_or_nothing":
        return (1 if response == key else 0), 1
    if grading == "absolute_position":
        return sum(1 for index, step in enumerate(key) if position[step] == index), count
    if grading in ("relative_next_exclude_last", "relative_next_include_last"):
        include_last = grading.endswith("include_last")
        wanted_next, given_next = _next_of(key, include_last), _next_of(response, include_last)
        return sum(1 for step, after in wanted_next.items() if given_next.get(step) == after), len(
            wanted_next
        )
    if grading in ("relative_one_previous_and_next", "relative_all_previous_and_next"):
        everything = grading == "relative_all_previous_and_next"
        wanted, given = _neighbours(key, everything), _neighbours(response, everything)
        earned = sum(
            len(before & given[step][0]) + len(after & given[step][1])
            for step, (before, after) in wanted.items()
        )
        return earned, sum(len(before) + len(after) for before, after in wanted.values())
    if grading in ("longest_ordered_subset", "longest_contiguous_subset"):
        places = [key.index(step) for step in response]
        return _longest_run(places, grading == "longest_contiguous_subset"), count
    if grading == "relative_to_correct":
        most = count - 1
        earned = sum(max(0, most - abs(index - position[step])) for index, step in enumerate(key))
        return earned, most * count
    pairs = list(zip(key, key[1:], strict=False))  # PAIRS
    return sum(1 for first, second in pairs if position[first] < position[second]), len(pairs)


def _step_text(entry: Any) -> str:
    return str(entry.get("text", "")) if isinstance(entry, dict) else str(entry)


class OrderingKind(BaseKind):
    kind = ItemKind.ORDERING
    fields = frozenset({"steps", "grading", "layout"})
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
        if "grading" in item and item["grading"] not in GRADINGS:
            problems.append(f"grading: must be one of {', '.join(GRADINGS)}")
        if "layout" in item and item["layout"] not in LAYOUTS:
            problems.append(f"layout: must be one of {', '.join(LAYOUTS)}")
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
        rendered.layout = str(item.get("layout", ""))
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
        grading = item.get("grading", PAIRS)
        earned, possible = graded(grading, correct_ids, [str(step) for step in response])
        score = earned / possible if possible else 1.0
        if grading == PAIRS:
            feedback = (
                [] if score >= 1.0 else [f"{earned} of {possible} consecutive pairs are in the right order."]
            )
            details = {"pairs_in_order": earned, "pairs": possible}
        else:
            feedback = [] if score >= 1.0 else [f"{earned} of {possible} points for the order."]
            details = {"grading": grading, "points": earned, "possible": possible}
        return self.result_for_score(item, variant, score, feedback, correct_answer, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return [stable_id("s", step) for step in item["steps"]]

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return form.getlist(ORDER_FIELD)


HANDLER = OrderingKind()
