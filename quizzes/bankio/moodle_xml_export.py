"""Our items as Moodle XML, where Moodle has a matching question type.

Text is written with format="markdown" (which Moodle supports), so nothing is lost to an HTML
conversion; the item key goes into <idnumber> and topics into <tags>, which our import reads back.
Multiple-answer items get +100/n for each right choice and −100/n for each wrong one, exactly our
right-minus-wrong score. Short text answers, matching and descriptions map to Moodle's shortanswer,
matching and description (default grade 0); cloze and essay items to cloze (the embedded answers as written)
and essay. Calculation items become calculated questions with their dataset items (`kinds/calculation/`);
symbolic and table
items have no Moodle equivalent and are reported in `ExportResult.skipped` (and as XML comments).
"""

import xml.etree.ElementTree as ET

from quizzes.bankio.errors import BankExport, ExportResult, Skipped
from quizzes.bankio.kinds import formats_for
from quizzes.bankio.moodle_media import attach_media
from quizzes.bankio.moodle_settings import write_settings
from quizzes.bankio.naming import category_text


def dump_moodle_xml(bank: BankExport) -> ExportResult:
    """A Moodle XML <quiz> for our items. Symbolic and table items cannot be expressed and are reported.

    The bank's own category comes first, then every described category of the bank (so descriptions
    travel even for categories without questions), then a category record before every run of items
    of another `category`.
    """
    result = ExportResult(text="")
    quiz = ET.Element("quiz")
    infos = {tuple(category["path"]): category.get("description", "") for category in bank.categories}
    own = [_category_safe(bank.name or bank.slug)]

    def category_record(path: list[str]) -> None:
        record = ET.SubElement(quiz, "question", type="category")
        _text_child(record, "category", category_text(path), fmt=None)
        info = infos.get(tuple(path), bank.description if path == own else "")
        _text_child(record, "info", info, fmt="markdown")

    category_record(own)
    current = own
    for described in infos:
        if list(described) != own:
            category_record(list(described))
            current = list(described)
    for item in bank.items:
        formats = formats_for(item["kind"])
        writer = formats.moodle_writer if formats is not None else None
        body = writer(item, result) if writer else None
        if body is None:  # no writer, or the writer reported why it could not write this item
            if writer is None:
                reason = "Moodle XML has no equivalent question type"
                result.skipped.append(Skipped(item["key"], item["kind"], reason))
            continue
        path = list(item.get("category") or own)
        if path != current:
            category_record(path)
            current = path
        question = ET.Element("question", type=body.qtype)
        _text_child(question, "name", item.get("title") or item["key"], fmt=None)
        _text_child(question, "questiontext", body.stem, fmt="markdown")
        _text_child(question, "generalfeedback", body.explanation, fmt="markdown")
        write_settings(question, item, body.qtype, result)
        ET.SubElement(question, "idnumber").text = item["key"]
        question.extend(body.children)
        for hint in item.get("hints", []):
            _text_child(question, "hint", hint, fmt="markdown")
        if item.get("topics"):
            tags = ET.SubElement(question, "tags")
            for topic in item["topics"]:
                _text_child(tags, "tag", topic, fmt=None)
        attach_media(question, bank.media, result, item["key"])  # images and files (bankio/moodle_media.py)
        quiz.append(ET.Comment(f" {_comment_safe(item['key'])} ({item['kind']}) "))
        quiz.append(question)

    for skipped in result.skipped:
        quiz.append(ET.Comment(f" not exported: {_comment_safe(str(skipped))} "))
    if any(item.get("difficulty") is not None for item in bank.items):
        result.notes.append("Moodle XML has no difficulty field; difficulties were not exported")
    if any(item.get("siblings") for item in bank.items):
        result.notes.append(
            "Moodle XML has no sibling field: which items restate one another (never drawn together) "
            "was not exported"
        )
    ET.indent(quiz, space="  ")
    result.text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
    return result


def _text_child(parent: ET.Element, tag: str, text: str, *, fmt: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt:
        element.set("format", fmt)
    ET.SubElement(element, "text").text = text
    return element


def _comment_safe(text: str) -> str:
    return text.replace("--", "- -")  # "--" may not appear inside an XML comment


def _category_safe(text: str) -> str:
    return text.replace("/", "-")  # "/" separates category levels
