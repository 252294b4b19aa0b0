"""essay items in Moodle XML (essay) and GIFT (`{}`, or `{####general feedback}`).

Moodle XML carries every field: `responseformat` (plain, monospaced; Moodle's HTML editors become a
plain box, reported), `responsefieldlines`, `minwordlimit` / `maxwordlimit`, `graderinfo` and
`responsetemplate`. Answers made only of attachments (`noinline`) cannot be written here: such a
question is skipped with the reason; allowed attachments are reported and left out. Moodle has no
character limit: an item's own `max_chars` is reported on export. GIFT holds only the question and
its general feedback: the other fields are reported when an export leaves them out.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion
from quizzes.bankio.moodle_parts import MoodleQuestion, QuestionContext, element_markdown, simple_element
from quizzes.engine.kinds import ItemKind
from quizzes.engine.kinds.essay import ESSAY_FIELDS, MAX_ESSAY_CHARS

DEFAULT_LINES = 10
_EDITORS = ("editor", "editorfilepicker")


def _whole(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


MOODLE_TYPES = ("essay",)


def read_moodle(question: ET.Element, context: QuestionContext) -> dict[str, Any] | None:
    item: dict[str, Any] = {"kind": ItemKind.ESSAY.value}
    response_format = (question.findtext("responseformat") or "editor").strip()
    attachments = _whole(question.findtext("attachments")) or 0
    if response_format == "noinline":
        context.skip("essay", "the answer is only attached files, which Descent cannot take")
        return None
    if response_format in _EDITORS:
        context.note(f"responseformat {response_format!r} (an HTML editor) became a plain text box")
    elif response_format == "monospaced":
        item["response_format"] = "monospaced"
    elif response_format != "plain":
        context.note(f"unknown responseformat {response_format!r} became a plain text box")
    if attachments:
        context.note("attached files are not taken here; the answer is text only")
    lines = _whole(question.findtext("responsefieldlines"))
    if lines is not None and lines != DEFAULT_LINES:
        item["response_lines"] = min(60, max(2, lines))
    for tag, name in (("minwordlimit", "min_words"), ("maxwordlimit", "max_words")):
        limit = _whole(question.findtext(tag))
        if limit:
            item[name] = min(limit, MAX_ESSAY_CHARS)
    if grader_info := element_markdown(question.find("graderinfo")).strip():
        item["grader_info"] = grader_info
    if template := element_markdown(question.find("responsetemplate")).strip():
        item["response_template"] = template
    return item


def _text_element(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag, format="markdown")
    ET.SubElement(element, "text").text = text
    return element


def write_moodle(item: dict[str, Any], result: ExportResult) -> MoodleQuestion:
    if "max_chars" in item:
        result.notes.append(f"{item['key']}: Moodle has no character limit; max_chars was not exported")
    children = [
        simple_element("responseformat", item.get("response_format", "plain")),
        simple_element("responserequired", "1"),
        simple_element("responsefieldlines", str(item.get("response_lines", DEFAULT_LINES))),
    ]
    if "min_words" in item:
        children.append(simple_element("minwordlimit", str(item["min_words"])))
    if "max_words" in item:
        children.append(simple_element("maxwordlimit", str(item["max_words"])))
    children += [
        simple_element("attachments", "0"),
        simple_element("attachmentsrequired", "0"),
        simple_element("maxbytes", "0"),
        simple_element("filetypeslist", ""),
        _text_element("graderinfo", item.get("grader_info", "")),
        _text_element("responsetemplate", item.get("response_template", "")),
    ]
    return MoodleQuestion("essay", item["stem"], item["explanation"], children)


def read_gift() -> dict[str, Any]:
    """`{}`: an essay (GIFT says nothing more about it)."""
    return {"kind": ItemKind.ESSAY.value}


def write_gift(item: dict[str, Any], result: ExportResult) -> GiftQuestion:
    lost = [name for name in ESSAY_FIELDS if name in item]
    if lost:
        result.notes.append(
            f"{item['key']}: GIFT holds only an essay's question and feedback; {', '.join(lost)} left out"
        )
    return GiftQuestion(item["stem"], [], item["explanation"])
