"""Moodle XML question banks: import the question types we can express, export ours where Moodle can hold them.

Parsing goes through defusedxml with DTDs forbidden, so entity-expansion ("billion laughs") and
external-entity files are refused with a clear problem instead of exhausting memory or reading files.

Import: multichoice (single/multiple), truefalse, shortanswer (all-number ones become numeric items),
numerical, matching, description, cloze (embedded answers), essay, calculated and calculatedsimple
(calculation templates),
ordering (the qtype_ordering plugin: each answer's fraction is its position) and category records
(the questions after one get its path as their `category`, except the bank's own top category, whose
name names the bank; its last segment also becomes a topic; every category's description is kept in
`ParsedBank.categories`, which lists only described categories: the others live on their items). Every other type is reported
by name in `ParsedBank.skipped` and the rest of the file is imported.

Files embedded beside a text (`<file>`, `@@PLUGINFILE@@`) and the legacy `<image>` are resolved before
each question is read (`moodle_media`). Writing is in `moodle_xml_export`; each kind's readers and writer are in `bankio/kinds/`. Our own export's <idnumber> (item key), <tags> (topics) and
format="markdown" texts are read back exactly.
"""

import re
import xml.etree.ElementTree as ET
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from quizzes.bankio.errors import BankProblem, Location, ParsedBank, Skipped, add_category
from quizzes.bankio.kinds import MOODLE_READERS, formats_for
from quizzes.bankio.limits import ImportLimits
from quizzes.bankio.media import MediaBudget
from quizzes.bankio.moodle_media import resolve_question_media
from quizzes.bankio.moodle_parts import QuestionContext, element_markdown, text_of_element
from quizzes.bankio.moodle_settings import read_settings
from quizzes.bankio.naming import MAX_TOPIC_LENGTH, category_parts, category_path, slugify, unique_slug
from quizzes.bankio.validation import is_slug
from quizzes.engine.spec import OPTIONAL_EXPLANATION

# -- reading -----------------------------------------------------------------------------------------


def parse_moodle_xml(text: str, *, filename: str = "", media: MediaBudget | None = None) -> ParsedBank:
    """Items from a Moodle XML export. Unsupported question types are listed in `.skipped`.

    Embedded files are decoded within `media` (default: the default limits) into `.media`.
    """
    result = ParsedBank()
    media = media or ImportLimits().media_budget()
    text = text.removeprefix("\ufeff")  # a byte-order mark left by the decoding
    try:
        root = SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        message = f"refused: the file declares a DTD or entities, which Moodle XML never needs ({error})"
        result.problems.append(BankProblem(Location(file=filename), message))
        return result
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        result.problems.append(
            BankProblem(Location(file=filename, line=line), f"not well-formed XML: {error}")
        )
        return result
    if root.tag != "quiz":
        message = f"the root element must be <quiz>, found <{root.tag}>"
        result.problems.append(BankProblem(Location(file=filename, line=1), message))
        return result

    question_lines = _question_start_lines(text)
    taken_keys: set[str] = set()
    topic: str | None = None
    category: list[str] = []
    for number, question in enumerate(root.iter("question")):
        line = question_lines[number] if number < len(question_lines) else None
        qtype = question.get("type", "")
        if qtype == "category":
            path = _text_of(question, "category")
            bank_name, topic = category_parts(path)
            result.name = result.name or bank_name
            category = category_path(path)
            if category and (info := element_markdown(question.find("info"))):
                add_category(result.categories, category, info)
            if category == [result.name]:
                category = []  # the bank's own category: its items need no category of their own
            continue
        name = _text_of(question, "name").strip() or f"question {number + 1}"
        reader = MOODLE_READERS.get(qtype)
        if reader is None:
            why = "this question type has no equivalent in Descent"
            result.skipped.append(
                Skipped(name, qtype or "(no type)", why, Location(file=filename, line=line))
            )
            continue
        context = QuestionContext(filename=filename, line=line, name=name, result=result)
        resolve_question_media(question, context, media)  # embedded files (bankio/moodle_media.py)
        item = reader(question, context)
        if item is None:
            continue
        kind = item.pop("kind")
        key = _key_for(question, name, taken_keys)
        topics = _topics_for(question, topic)
        common = {
            "key": key,
            "kind": kind,
            "title": name[:200],
            "topics": topics,
            "difficulty": 2,
            "stem": _markdown_of(question, "questiontext"),
            "explanation": _markdown_of(question, "generalfeedback")
            or ("" if kind in OPTIONAL_EXPLANATION else _fallback_explanation(kind, item, context)),
            "hints": [hint for hint in map(element_markdown, question.findall("hint")) if hint],
        }
        settings = read_settings(question, kind, context)
        if category:
            settings["category"] = list(category)
        result.item_lines[len(result.items)] = {"": line} if line else {}
        result.items.append({**common, **item, **settings})
    result.media.update(media.files)
    return result


def _question_start_lines(text: str) -> list[int]:
    """Line of each <question> start tag, in document order (ElementTree keeps no line numbers)."""

    def blank_out(match: re.Match) -> str:
        # Same length, same newlines: comments and CDATA cannot fake a question, lines stay right.
        return re.sub(r"[^\n]", " ", match.group(0))

    visible = re.sub(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", blank_out, text, flags=re.S)
    lines, line, counted = [], 1, 0
    for match in re.finditer(r"<question\b", visible):
        line += visible.count("\n", counted, match.start())  # only the text since the last question
        counted = match.start()
        lines.append(line)
    return lines


def _text_of(element: ET.Element, path: str) -> str:
    found = element.find(f"{path}/text")
    return found.text or "" if found is not None else ""


def _markdown_of(question: ET.Element, path: str) -> str:
    return element_markdown(question.find(path))


def _key_for(question: ET.Element, name: str, taken: set[str]) -> str:
    # Our own export stores the item key in <idnumber>; use it when it is a valid, unused key.
    idnumber = (question.findtext("idnumber") or "").strip()
    if is_slug(idnumber, 120) and idnumber not in taken:
        taken.add(idnumber)
        return idnumber
    return unique_slug(slugify(name), taken)


def _topics_for(question: ET.Element, category_topic: str | None) -> list[str]:
    topics = [category_topic] if category_topic else []
    for tag in question.findall("tags/tag"):
        slug = slugify(text_of_element(tag), fallback="")[:MAX_TOPIC_LENGTH].strip("-")
        if slug and slug not in topics:
            topics.append(slug)
    return topics


SUPPORTED_TYPES = tuple(MOODLE_READERS)


def _fallback_explanation(kind: str, item: dict, context: QuestionContext) -> str:
    """Moodle's general feedback is optional but our explanation is not: state the key instead."""
    context.note("no general feedback; the explanation states the correct answer")
    formats = formats_for(kind)
    return formats.fallback_explanation(item) if formats is not None else ""
