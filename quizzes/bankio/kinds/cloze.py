"""cloze items in Moodle XML (`<question type="cloze">`, Moodle's embedded answers); GIFT has none.

The blanks travel inside the question text in Moodle's own syntax, which is also how our stem holds
them, so the text goes out as it is stored and comes back as it was written. On import the syntax is
checked with the engine's parser (`quizzes/engine/cloze.py`), which reads every blank type Moodle
writes (several-picks MULTIRESPONSE blanks included); malformed blanks are a problem with their line
and column inside the question text. GIFT has no
embedded-answers question: an export lists the item as not written, with that reason.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.moodle_parts import MoodleQuestion, QuestionContext, element_markdown
from quizzes.engine.cloze import parse_cloze
from quizzes.engine.kinds import ItemKind
from quizzes.engine.kinds.cloze import ClozeKind

GIFT_REASON = "GIFT has no embedded-answers (cloze) question type; export it as Moodle XML instead"


def fallback_explanation(item: dict[str, Any]) -> str:
    return "The blanks:\n\n" + ClozeKind().answer_key(item, None)  # type: ignore[arg-type]


MOODLE_TYPES = ("cloze",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    stem = element_markdown(question.find("questiontext"))
    parsed = parse_cloze(stem)
    if parsed.errors:
        for error in parsed.errors:
            context.problem(f"question text {error}")
        return None
    return {"kind": ItemKind.CLOZE.value}


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    return MoodleQuestion("cloze", item["stem"], item["explanation"], [])


def write_gift(item: dict[str, Any], result: ExportResult) -> None:
    result.skipped.append(Skipped(item["key"], item["kind"], GIFT_REASON))
    return None
