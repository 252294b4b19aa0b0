"""ordering items in Moodle XML (the qtype_ordering plugin); GIFT has no ordering questions."""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.kinds.base import KindFormats
from quizzes.bankio.moodle_parts import (
    MoodleQuestion,
    QuestionContext,
    answer_element,
    element_markdown,
    safe_float,
    simple_element,
)
from quizzes.engine.kinds import ItemKind


def fallback_explanation(item: dict[str, Any]) -> str:
    return "The correct order:\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(item["steps"], 1))


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    answers = question.findall("answer")
    # qtype_ordering stores each answer's correct position in its fraction attribute.
    positions = [safe_float(answer.get("fraction"), float(index)) for index, answer in enumerate(answers)]
    ordered = [answer for _, _, answer in sorted(zip(positions, range(len(answers)), answers, strict=True))]
    select_type = (question.findtext("selecttype") or "ALL").strip().upper()
    if select_type not in ("ALL", "0"):
        context.note("Moodle shows a subset of the steps; Descent shows them all")
    return {"kind": ItemKind.ORDERING.value, "steps": [element_markdown(answer) for answer in ordered]}


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    children = [
        simple_element("layouttype", "VERTICAL"),
        simple_element("selecttype", "ALL"),
        simple_element("selectcount", "0"),
        simple_element("gradingtype", "RELATIVE_NEXT_EXCLUDE_LAST"),  # closest to our adjacent-pairs score
        simple_element("showgrading", "SHOW"),
    ]
    # qtype_ordering keeps each step's correct position in the fraction attribute.
    children += [answer_element(step, position, None) for position, step in enumerate(item["steps"], start=1)]
    return MoodleQuestion("ordering", item["stem"], item["explanation"], children)


FORMATS = KindFormats(
    kind=ItemKind.ORDERING,
    fallback_explanation=fallback_explanation,
    moodle_readers={"ordering": read_moodle},
    moodle_writer=write_moodle,
)
