"""description items in Moodle XML (description, default grade 0) and GIFT (a text with no answer braces).

GIFT's general feedback lives inside the answer braces a description does not have, so an explanation
cannot travel in GIFT: the export reports it.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion
from quizzes.bankio.moodle_parts import MoodleQuestion, QuestionContext
from quizzes.engine.kinds import ItemKind

MOODLE_TYPES = ("description",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    return {"kind": ItemKind.DESCRIPTION.value}


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    return MoodleQuestion("description", item["stem"], item.get("explanation", ""), [])


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    if item.get("explanation", "").strip():
        result.notes.append(f"{item['key']}: GIFT cannot hold a description's explanation; it was left out")
    return GiftQuestion(item["stem"], [], "", braces=False)
