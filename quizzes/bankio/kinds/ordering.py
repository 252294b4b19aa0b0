"""ordering items in Moodle XML (the qtype_ordering plugin); GIFT has no ordering questions.

Moodle's <gradingtype> (by name or by number) becomes the item's `grading`, so the score is Moodle's;
an item under our own adjacent-pairs rule is written as RELATIVE_NEXT_EXCLUDE_LAST, the closest Moodle
rule, and the export says so; a <descentgrading>pairs</descentgrading> element (which Moodle ignores)
lets our own import restore the pairs rule. <layouttype> HORIZONTAL becomes `layout: horizontal`.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    element_markdown,
    safe_float,
    simple_element,
)
from quizzes.engine.kinds import ItemKind
from quizzes.engine.kinds.ordering import GRADINGS, PAIRS

# qtype_ordering's grading type constants, by number as older exports write them.
_GRADING_NUMBERS = {
    "-1": "all_or_nothing",
    "0": "absolute_position",
    "1": "relative_next_exclude_last",
    "2": "relative_next_include_last",
    "3": "relative_one_previous_and_next",
    "4": "relative_all_previous_and_next",
    "5": "longest_ordered_subset",
    "6": "longest_contiguous_subset",
    "7": "relative_to_correct",
}
_LAYOUT_NUMBERS = {"0": "VERTICAL", "1": "HORIZONTAL"}
OUR_GRADING_ELEMENT = "descentgrading"


def fallback_explanation(item: dict[str, Any]) -> str:
    return "The correct order:\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(item["steps"], 1))


MOODLE_TYPES = ("ordering",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    answers = question.findall("answer")
    # qtype_ordering stores each answer's correct position in its fraction attribute.
    positions = [safe_float(answer.get("fraction"), float(index)) for index, answer in enumerate(answers)]
    ordered = [answer for _, _, answer in sorted(zip(positions, range(len(answers)), answers, strict=True))]
    select_type = (question.findtext("selecttype") or "ALL").strip().upper()
    if select_type not in ("ALL", "0"):
        context.note("Moodle shows a subset of the steps; Descent shows them all")
    item: dict[str, Any] = {
        "kind": ItemKind.ORDERING.value,
        "steps": [element_markdown(answer) for answer in ordered],
    }
    raw = (question.findtext("gradingtype") or "").strip()
    grading = _GRADING_NUMBERS.get(raw, raw.lower())
    if (question.findtext(OUR_GRADING_ELEMENT) or "").strip() == PAIRS:
        pass  # our own export of an item under the adjacent-pairs rule
    elif grading in GRADINGS and grading != PAIRS:
        item["grading"] = grading
    elif raw:
        context.note(f"unknown grading type {raw!r}; Descent's adjacent-pairs rule scores it")
    else:
        item["grading"] = "relative_next_exclude_last"  # qtype_ordering's default
    layout = (question.findtext("layouttype") or "").strip().upper()
    if _LAYOUT_NUMBERS.get(layout, layout) == "HORIZONTAL":
        item["layout"] = "horizontal"
    return item


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    grading = item.get("grading", PAIRS)
    ours = grading == PAIRS
    if ours:
        result.notes.append(
            f"{item['key']}: Moodle has no adjacent-pairs rule; written as RELATIVE_NEXT_EXCLUDE_LAST, "
            "which gives part marks differently"
        )
        grading = "relative_next_exclude_last"
    children = [
        simple_element("layouttype", str(item.get("layout", "vertical")).upper()),
        simple_element("selecttype", "ALL"),
        simple_element("selectcount", "0"),
        simple_element("gradingtype", grading.upper()),
        simple_element("showgrading", "SHOW"),
    ]
    if ours:
        children.append(simple_element(OUR_GRADING_ELEMENT, PAIRS))
    # qtype_ordering keeps each step's correct position in the fraction attribute.
    children += [answer_element(step, position, None) for position, step in enumerate(item["steps"], start=1)]
    return MoodleQuestion("ordering", item["stem"], item["explanation"], children)
