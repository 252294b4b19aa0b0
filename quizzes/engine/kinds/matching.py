"""matching items: each prompt is paired with one answer picked from a shared list.

The list holds every pair's answer (once, even when two prompts share it) plus `distractors`, and is
always shuffled; the prompts are shuffled too unless `shuffle` is false. Ids are stable hashes of the
texts (`p-…` prompts, `m-…` answers). Score = fraction of prompts paired right. The response is a
mapping prompt id -> answer id; a prompt left unpaired counts as wrong.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.common import shuffled, stable_id
from quizzes.engine.kinds.base import MATCH_PREFIX, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.checks import is_text, mapping_entries
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.templates import fill

PAIR_FIELDS = frozenset({"prompt", "answer"})


def prompt_id(pair: dict[str, Any]) -> str:
    return stable_id("p", str(pair.get("prompt", "")).strip())


def option_id(text: Any) -> str:
    return stable_id("m", str(text).strip())


def option_texts(item: ItemDict) -> list[str]:
    """Every answer a student may pick: the pairs' answers (once each), then the distractors."""
    texts = [
        str(pair.get("answer", "")).strip() for pair in item.get("pairs") or [] if isinstance(pair, dict)
    ]
    texts += [str(text).strip() for text in item.get("distractors") or []]
    return list(dict.fromkeys(texts))


class MatchingKind(BaseKind):
    kind = ItemKind.MATCHING
    fields = frozenset({"pairs", "distractors", "shuffle"})
    widget = Widget.MATCHING
    example = """\
# Each prompt is matched with its answer from one shuffled list; distractors are extra wrong answers.
# Score = fraction of prompts matched right.
pairs:
  - prompt: Momentum
    answer: A decaying sum of past gradients
  - prompt: RMSProp
    answer: A running average of squared gradients
  - prompt: Adam
    answer: Both averages, with bias correction
distractors:
  - A learning rate that doubles every epoch
shuffle: true          # shuffle the prompts too (the answers are always shuffled); default true
"""

    def problems(self, item: ItemDict) -> list[str]:
        pairs = item.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            return ["pairs: need a list of at least two {prompt, answer} pairs"]
        problems: list[str] = []
        for where, pair in mapping_entries(pairs, "pairs", "{prompt, answer}", problems):
            for field in ("prompt", "answer"):
                if not is_text(pair.get(field)):
                    problems.append(f"{where}.{field}: required text")
            problems += [f"{where}.{field}: unknown field" for field in sorted(set(pair) - PAIR_FIELDS)]
        distractors = item.get("distractors", [])
        if not isinstance(distractors, list) or not all(is_text(text) for text in distractors):
            problems.append("distractors: must be a list of texts")
        if problems:
            return problems
        prompts = [str(pair["prompt"]).strip() for pair in pairs]
        if len(set(prompts)) != len(prompts):
            problems.append("pairs: two prompts have the same text")
        answers = {str(pair["answer"]).strip() for pair in pairs}
        if any(str(text).strip() in answers for text in distractors):
            problems.append("distractors: a distractor is also the answer of a pair")
        if len({str(text).strip() for text in distractors}) != len(distractors):
            problems.append("distractors: two distractors have the same text")
        if "shuffle" in item and not isinstance(item["shuffle"], bool):
            problems.append("shuffle: must be true or false")
        return problems

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        values = self.visible_values(item, variant)
        pairs = list(item.get("pairs") or [])
        if item.get("shuffle", True):
            pairs = shuffled(pairs, variant.seed, f"prompts|{item.get('key')}")
        rendered.prompts = [
            {"id": prompt_id(pair), "text": fill(str(pair["prompt"]), values)} for pair in pairs
        ]
        options = shuffled(option_texts(item), variant.seed, f"matches|{item.get('key')}")
        rendered.choices = [{"id": option_id(text), "text": fill(text, values)} for text in options]
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        pairs = list(item.get("pairs") or [])
        correct_answer = "\n".join(
            f"- {fill(str(pair['prompt']), variant.values)} → {fill(str(pair['answer']), variant.values)}"
            for pair in pairs
        )
        known_options = {option_id(text) for text in option_texts(item)}
        known_prompts = {prompt_id(pair) for pair in pairs}
        if (
            not isinstance(response, dict)
            or not all(isinstance(value, str) for value in response.values())
            or not set(map(str, response)) <= known_prompts
            or not {value for value in response.values() if value} <= known_options
            or not any(response.values())
        ):
            return CheckResult(
                INVALID, 0.0, ["Pick an answer for the prompts."], correct_answer=correct_answer
            )
        right = [
            prompt_id(pair) for pair in pairs if response.get(prompt_id(pair)) == option_id(pair["answer"])
        ]
        score = len(right) / len(pairs)
        feedback = [] if score >= 1 else [f"{len(right)} of {len(pairs)} matched right."]
        details = {"right": right, "pairs": len(pairs)}
        return self.result_for_score(item, variant, score, feedback, correct_answer, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return {prompt_id(pair): option_id(pair["answer"]) for pair in item["pairs"]}

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return {
            str(prompt["id"]): str(form.get(MATCH_PREFIX + str(prompt["id"]), ""))[:40]
            for prompt in rendered.get("prompts") or []
        }


HANDLER = MatchingKind()
