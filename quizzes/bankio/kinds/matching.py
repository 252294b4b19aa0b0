"""matching items in Moodle XML (matching) and GIFT (`{=prompt -> answer = -> distractor}`).

Both formats hold a distractor as a pair whose prompt is empty, as Moodle does. Moodle's
`shuffleanswers` shuffles the prompts, as our `shuffle` does (the answers are always shuffled).
Moodle's combined feedback is one of the settings every question shares (`moodle_settings.py`).
GIFT pairs carry no feedback and no weights: those are reported.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.gift_parts import GiftQuestion, escape_gift
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    element_markdown,
    simple_element,
)
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    return "The matches:\n\n" + "\n".join(f"- {pair['prompt']} → {pair['answer']}" for pair in item["pairs"])


def pairs_item(pairs: list[dict[str, str]], distractors: list[str], shuffle: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": ItemKind.MATCHING.value, "pairs": pairs}
    if distractors:
        item["distractors"] = distractors
    item["shuffle"] = shuffle
    return item


MOODLE_TYPES = ("matching",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for subquestion in question.findall("subquestion"):
        prompt = element_markdown(subquestion).strip()
        answer = (subquestion.findtext("answer/text") or "").strip()
        if not answer:
            if prompt:
                context.problem(f"the entry {prompt!r} has no answer")
                return None
            continue
        if prompt:
            pairs.append({"prompt": prompt, "answer": answer})
        elif answer not in distractors:
            distractors.append(answer)
    if len(pairs) < 2:
        context.skip("matching", f"a matching question needs at least two pairs, this one has {len(pairs)}")
        return None
    shuffle = (question.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
    return pairs_item(pairs, distractors, shuffle)


def _subquestion(prompt: str, answer: str) -> ET.Element:
    element = ET.Element("subquestion", format="markdown")
    ET.SubElement(element, "text").text = prompt
    answer_element = ET.SubElement(element, "answer")
    ET.SubElement(answer_element, "text").text = answer
    return element


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    children = [simple_element("shuffleanswers", "true" if item.get("shuffle", True) else "false")]
    children += [_subquestion(pair["prompt"], pair["answer"]) for pair in item["pairs"]]
    children += [_subquestion("", text) for text in item.get("distractors", [])]
    answers = {pair["answer"] for pair in item["pairs"]} | set(item.get("distractors", []))
    if len(answers) < 3:
        result.notes.append(f"{item['key']}: Moodle asks for at least three answers; add a distractor")
    return MoodleQuestion("matching", item["stem"], item["explanation"], children)


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion | None:
    texts = [pair["prompt"] for pair in item["pairs"]] + [pair["answer"] for pair in item["pairs"]]
    texts += item.get("distractors", [])
    if any("->" in text for text in texts):
        reason = "GIFT cannot hold '->' inside a matching prompt or answer"
        result.skipped.append(Skipped(item["key"], item["kind"], reason))
        return None
    if not item.get("shuffle", True):
        result.notes.append(
            f"{item['key']}: GIFT cannot keep the prompts unshuffled; Moodle will shuffle them"
        )
    answers = [f"={escape_gift(pair['prompt'])} -> {escape_gift(pair['answer'])}" for pair in item["pairs"]]
    answers += [f"= -> {escape_gift(text)}" for text in item.get("distractors", [])]
    return GiftQuestion(item["stem"], answers, item["explanation"])
