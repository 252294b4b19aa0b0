"""Moodle XML question banks: import the question types we can express, export ours where Moodle can hold them.

Parsing goes through defusedxml with DTDs forbidden, so entity-expansion ("billion laughs") and
external-entity files are refused with a clear problem instead of exhausting memory or reading files.

Import: multichoice (single/multiple), truefalse, shortanswer (numeric answers only), numerical,
ordering (the qtype_ordering plugin: each answer's fraction is its position) and category records
(the category's last segment becomes a topic of the questions after it). Every other type is reported
by name in `ParsedBank.skipped` and the rest of the file is imported.

Writing is in `moodle_xml_export`. Our own export's <idnumber> (item key), <tags> (topics) and
format="markdown" texts are read back exactly.
"""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from quizzes.bankio.errors import BankProblem, Location, ParsedBank, Skipped
from quizzes.bankio.html_text import html_to_markdown, mathjax_to_dollars
from quizzes.bankio.naming import MAX_TOPIC_LENGTH, category_parts, slugify, unique_slug
from quizzes.bankio.validation import is_slug

_TEXT_FORMATS_KEPT_AS_IS = ("plain_text", "moodle_auto_format")


# -- reading -----------------------------------------------------------------------------------------


def parse_moodle_xml(text: str, *, filename: str = "") -> ParsedBank:
    """Items from a Moodle XML export. Unsupported question types are listed in `.skipped`."""
    result = ParsedBank()
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
    for number, question in enumerate(root.iter("question")):
        line = question_lines[number] if number < len(question_lines) else None
        qtype = question.get("type", "")
        if qtype == "category":
            path = _text_of(question, "category")
            bank_name, topic = category_parts(path)
            result.name = result.name or bank_name
            continue
        name = _text_of(question, "name").strip() or f"question {number + 1}"
        reader = _READERS.get(qtype)
        if reader is None:
            why = "this question type has no equivalent in Descent"
            result.skipped.append(
                Skipped(name, qtype or "(no type)", why, Location(file=filename, line=line))
            )
            continue
        context = _QuestionContext(filename=filename, line=line, name=name, result=result)
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
            or _fallback_explanation(kind, item, context),
            "hints": [hint for hint in map(_element_markdown, question.findall("hint")) if hint],
        }
        result.item_lines[len(result.items)] = {"": line} if line else {}
        result.items.append({**common, **item})
    return result


class _QuestionContext:
    """Where a question is, so readers can report skips and notes against it."""

    def __init__(self, *, filename: str, line: int | None, name: str, result: ParsedBank) -> None:
        self.filename, self.line, self.name, self.result = filename, line, name, result

    def skip(self, qtype: str, reason: str) -> None:
        location = Location(file=self.filename, line=self.line)
        self.result.skipped.append(Skipped(self.name, qtype, reason, location))

    def note(self, message: str) -> None:
        where = f"{self.filename}:{self.line}" if self.filename and self.line else (self.filename or "line ?")
        self.result.notes.append(f"{where}: '{self.name}': {message}")

    def problem(self, message: str) -> None:
        self.result.problems.append(
            BankProblem(Location(file=self.filename, line=self.line), f"'{self.name}': {message}")
        )


def _question_start_lines(text: str) -> list[int]:
    """Line of each <question> start tag, in document order (ElementTree keeps no line numbers)."""

    def blank_out(match: re.Match) -> str:
        # Same length, same newlines: comments and CDATA cannot fake a question, lines stay right.
        return re.sub(r"[^\n]", " ", match.group(0))

    visible = re.sub(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", blank_out, text, flags=re.S)
    return [visible.count("\n", 0, match.start()) + 1 for match in re.finditer(r"<question\b", visible)]


def _text_of(element: ET.Element, path: str) -> str:
    found = element.find(f"{path}/text")
    return found.text or "" if found is not None else ""


def _element_markdown(element: ET.Element | None) -> str:
    """The Markdown of an element holding <text> in any Moodle text format."""
    if element is None:
        return ""
    text_element = element.find("text")
    raw = (text_element.text or "") if text_element is not None else ""
    text_format = element.get("format", "html")
    if text_format == "markdown":
        return raw  # our own export's format: already exactly what we store
    if text_format in _TEXT_FORMATS_KEPT_AS_IS:
        return mathjax_to_dollars(raw.strip())
    return html_to_markdown(raw)


def _markdown_of(question: ET.Element, path: str) -> str:
    return _element_markdown(question.find(path))


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
        slug = slugify(_text_of_element(tag), fallback="")[:MAX_TOPIC_LENGTH].strip("-")
        if slug and slug not in topics:
            topics.append(slug)
    return topics


def _text_of_element(element: ET.Element) -> str:
    return element.findtext("text") or ""


def _fraction(answer: ET.Element, context: _QuestionContext) -> float | None:
    raw = answer.get("fraction", "0")
    try:
        return float(raw)
    except ValueError:
        context.problem(f"answer fraction {raw!r} is not a number")
        return None


def _feedback(answer: ET.Element) -> str:
    return _element_markdown(answer.find("feedback"))


def _read_multichoice(question: ET.Element, context: _QuestionContext) -> dict | None:
    single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
    shuffle = (question.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
    choices = []
    for answer in question.findall("answer"):
        fraction = _fraction(answer, context)
        if fraction is None:
            return None
        correct = fraction >= 99.99 if single else fraction > 0
        if single and 0 < fraction < 99.99:
            context.note(f"partial credit ({fraction:g}%) for a choice is not supported; it counts as wrong")
        choice: dict = {"text": _element_markdown(answer)}
        if correct:
            choice["correct"] = True
        if feedback := _feedback(answer):
            choice["feedback"] = feedback
        choices.append(choice)
    positive = {round(_safe_float(a.get("fraction")), 2) for a in question.findall("answer")} - {0.0}
    if not single and len({value for value in positive if value > 0}) > 1:
        context.note("unequal per-choice weights became equal ones (right picks minus wrong picks)")
    return {"kind": "single" if single else "multiple", "choices": choices, "shuffle": shuffle}


def _read_truefalse(question: ET.Element, context: _QuestionContext) -> dict | None:
    item: dict = {"kind": "truefalse"}
    for answer in question.findall("answer"):
        fraction = _fraction(answer, context)
        if fraction is None:
            return None
        value = (_text_of_element(answer) or "").strip().lower()
        if value not in ("true", "false"):
            context.problem(f"a true/false answer must be 'true' or 'false', got {value!r}")
            return None
        if fraction >= 99.99:
            item["answer"] = value == "true"
        if feedback := _feedback(answer):
            item[f"feedback_{value}"] = feedback
    if "answer" not in item:
        context.problem("neither answer has fraction 100, so the correct one is unknown")
        return None
    return item


def _read_numeric_answers(question: ET.Element, context: _QuestionContext, qtype: str) -> dict | None:
    """Shared by numerical and shortanswer: the 100% answer is the key, 0% answers with feedback are misconceptions."""
    key: float | None = None
    tolerance = 0.0
    misconceptions = []
    for answer in question.findall("answer"):
        text = (_text_of_element(answer) or "").strip()
        if text == "*":  # Moodle's catch-all "any other answer": our per-answer feedback has no wildcard
            context.note("the '*' catch-all answer was dropped")
            continue
        value = _parse_float(text)
        if value is None:
            context.skip(qtype, f"answer {text!r} is not a number; only numeric short answers are supported")
            return None
        fraction = _fraction(answer, context)
        if fraction is None:
            return None
        if fraction >= 99.99 and key is None:
            key = value
            tolerance = _parse_float((answer.findtext("tolerance") or "0").strip()) or 0.0
        elif fraction <= 0 and (feedback := _feedback(answer)):
            misconceptions.append({"answer": value, "feedback": feedback})
        elif fraction < 99.99:
            context.note(f"partial credit ({fraction:g}%) for answer {text} is not supported and was dropped")
    if key is None:
        context.problem("no answer has fraction 100, so the key is unknown")
        return None
    item: dict = {
        "kind": "numeric",
        "answer": key,
        "tolerance": {"mode": "absolute", "value": abs(tolerance)},
    }
    unit = question.find("units/unit")
    if unit is not None and _safe_float(unit.findtext("multiplier"), 1.0) == 1.0:
        item["units"] = (unit.findtext("unit_name") or "").strip()
    if misconceptions:
        item["misconceptions"] = misconceptions
    return item


def _read_numerical(question: ET.Element, context: _QuestionContext) -> dict | None:
    return _read_numeric_answers(question, context, "numerical")


def _read_shortanswer(question: ET.Element, context: _QuestionContext) -> dict | None:
    return _read_numeric_answers(question, context, "shortanswer")


def _read_ordering(question: ET.Element, context: _QuestionContext) -> dict | None:
    answers = question.findall("answer")
    # qtype_ordering stores each answer's correct position in its fraction attribute.
    positions = [_safe_float(answer.get("fraction"), float(index)) for index, answer in enumerate(answers)]
    ordered = [answer for _, _, answer in sorted(zip(positions, range(len(answers)), answers, strict=True))]
    select_type = (question.findtext("selecttype") or "ALL").strip().upper()
    if select_type not in ("ALL", "0"):
        context.note("Moodle shows a subset of the steps; Descent shows them all")
    return {"kind": "ordering", "steps": [_element_markdown(answer) for answer in ordered]}


_READERS: dict[str, Callable[[ET.Element, _QuestionContext], dict | None]] = {
    "multichoice": _read_multichoice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "ordering": _read_ordering,
}
SUPPORTED_TYPES = tuple(_READERS)


def _fallback_explanation(kind: str, item: dict, context: _QuestionContext) -> str:
    """Moodle's general feedback is optional but our explanation is not: state the key instead."""
    context.note("no general feedback; the explanation states the correct answer")
    if kind in ("single", "multiple"):
        right = [choice["text"] for choice in item["choices"] if choice.get("correct")]
        return "The correct answer: " + "; ".join(right) if right else ""
    if kind == "truefalse":
        return f"The statement is {'true' if item['answer'] else 'false'}."
    if kind == "numeric":
        return f"The correct answer is {item['answer']:g}."
    if kind == "ordering":
        return "The correct order:\n\n" + "\n".join(f"{n}. {step}" for n, step in enumerate(item["steps"], 1))
    return ""


def _parse_float(text: str) -> float | None:
    try:
        value = (
            float(text.replace(",", ".")) if re.fullmatch(r"[-+]?[0-9.,]+(?:[eE][-+]?\d+)?", text) else None
        )
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _safe_float(text: str | None, default: float = 0.0) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default
