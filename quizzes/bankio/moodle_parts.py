"""Moodle XML pieces shared by the reader, the writer and the kinds' mappings (`bankio/kinds/`)."""

import math
import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

from quizzes.bankio.errors import BankProblem, Location, ParsedBank, Skipped
from quizzes.bankio.html_text import html_to_markdown, mathjax_to_dollars

_TEXT_FORMATS_KEPT_AS_IS = ("plain_text", "moodle_auto_format")
# Moodle offers a fixed list of grade percentages (100/n for n = 1..10, 20 ...) and matches an imported
# fraction against it with a small tolerance; five decimals (33.33333) are what its own export writes.
_FRACTION_DIGITS = 5


# -- reading -----------------------------------------------------------------------------------------


class QuestionContext:
    """Where a question is, so readers can report skips and notes against it."""

    def __init__(self, *, filename: str, line: int | None, name: str, result: ParsedBank) -> None:
        self.filename, self.line, self.name, self.result = filename, line, name, result

    def skip(self, qtype: str, reason: str) -> None:
        location = Location(file=self.filename, line=self.line)
        self.result.skipped.append(Skipped(self.name, qtype, reason, location))

    def note(self, message: str) -> None:
        where = f"{self.filename}:{self.line}" if self.filename and self.line else (self.filename or "line ?")
        self.result.notes.append(f"{where}: '{self.name}': {message}")
        self.result.question_notes.append((self.line, message, len(self.result.notes) - 1))

    def problem(self, message: str) -> None:
        self.result.problems.append(
            BankProblem(Location(file=self.filename, line=self.line), f"'{self.name}': {message}")
        )


def element_markdown(element: ET.Element | None) -> str:
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


def text_of_element(element: ET.Element) -> str:
    return element.findtext("text") or ""


def answer_fraction(answer: ET.Element, context: QuestionContext) -> float | None:
    raw = answer.get("fraction", "0")
    try:
        return float(raw)
    except ValueError:
        context.problem(f"answer fraction {raw!r} is not a number")
        return None


def answer_feedback(answer: ET.Element) -> str:
    return element_markdown(answer.find("feedback"))


def parse_float(text: str) -> float | None:
    try:
        value = (
            float(text.replace(",", ".")) if re.fullmatch(r"[-+]?[0-9.,]+(?:[eE][-+]?\d+)?", text) else None
        )
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def safe_float(text: str | None, default: float = 0.0) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


# -- writing -----------------------------------------------------------------------------------------


class MoodleQuestion(NamedTuple):
    qtype: str
    stem: str
    explanation: str
    children: list[ET.Element]  # the type-specific elements (answers, options)


def _fraction_text(value: float) -> str:
    return f"{value:.{_FRACTION_DIGITS}f}".rstrip("0").rstrip(".") or "0"


def answer_element(
    text: str, fraction: float, feedback: str | None = "", *, fmt: str | None = "markdown"
) -> ET.Element:
    """An <answer>; `feedback=None` leaves out the <feedback> element (ordering steps have none)."""
    answer = ET.Element("answer", fraction=_fraction_text(fraction))
    if fmt:
        answer.set("format", fmt)
    ET.SubElement(answer, "text").text = text
    if feedback is not None:
        feedback_element = ET.SubElement(answer, "feedback", format="markdown")
        ET.SubElement(feedback_element, "text").text = feedback
    return answer


def simple_element(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element
