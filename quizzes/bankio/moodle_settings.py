"""The question settings every Moodle question carries, both ways (see `quizzes/engine/settings.py`).

Read: <defaultgrade> → `weight` (when not 1), <penalty> → `penalty` (when not Moodle's default of one
third), <hidden> → `hidden`, <correctfeedback>/<partiallycorrectfeedback>/<incorrectfeedback> →
`combined_feedback`, and hint options Descent has no use for are reported. Written back with the same
element names Moodle's importer (question/format/xml) reads.
"""

import xml.etree.ElementTree as ET
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.moodle_parts import QuestionContext, element_markdown, safe_float
from quizzes.bankio.tolerances import short_number

MOODLE_DEFAULT_PENALTY = 0.3333333
# Moodle element -> our combined_feedback key.
COMBINED_FEEDBACK_ELEMENTS = {
    "correctfeedback": "correct",
    "partiallycorrectfeedback": "partial",
    "incorrectfeedback": "incorrect",
}
# The Moodle question types whose importer reads combined feedback; others ignore the elements.
QTYPES_WITH_COMBINED_FEEDBACK = ("multichoice", "matching", "ordering", "calculated", "calculatedmulti")
HINT_OPTIONS = ("shownumcorrect", "clearwrong")


def _number(question: ET.Element, tag: str) -> float | None:
    text = question.findtext(tag)
    if text is None or not text.strip():
        return None
    value = safe_float(text.strip(), float("nan"))
    return value if value == value else None  # NaN: not a number


def read_settings(question: ET.Element, kind: str, context: QuestionContext) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    grade = _number(question, "defaultgrade")
    if kind != "description" and grade is not None and grade != 1:
        if 0 <= grade <= 1000:
            settings["weight"] = grade
        else:
            context.note(f"default grade {grade:g} is outside 0..1000 and was left at 1")
    penalty = _number(question, "penalty")
    if penalty is not None and abs(penalty - MOODLE_DEFAULT_PENALTY) >= 0.005 and kind != "description":
        if 0 <= penalty <= 1:
            settings["penalty"] = penalty
        else:
            context.note(f"penalty {penalty:g} is outside 0..1 and was left out")
    if (question.findtext("hidden") or "0").strip().lower() in ("1", "true"):
        settings["hidden"] = True
    feedback = {}
    for element, name in COMBINED_FEEDBACK_ELEMENTS.items():
        if text := element_markdown(question.find(element)).strip():
            feedback[name] = text
    if feedback:
        settings["combined_feedback"] = feedback
    _note_display_options(question, context)
    options = sorted(
        {
            option
            for hint in question.findall("hint")
            for option in HINT_OPTIONS
            if hint.find(option) is not None
        }
    )
    if options:
        context.note(
            f"hint options ({', '.join(options)}) were left out: Descent shows hints before the answer "
            "and keeps no per-try state"
        )
    return settings


# Display options Descent does not copy: element -> the values that change nothing here.
_DISPLAY_DEFAULTS = {
    "answernumbering": ("abc", "none", ""),
    "showstandardinstruction": ("1", ""),
    "numberingstyle": ("none", ""),
    "showgrading": ("SHOW", "1", ""),
}


def _note_display_options(question: ET.Element, context: QuestionContext) -> None:
    """Report display options Moodle would honour and Descent does not (each left out)."""
    for element, harmless in _DISPLAY_DEFAULTS.items():
        value = (question.findtext(element) or "").strip()
        if value not in harmless:
            context.note(f"<{element}>{value}</{element}> has no equivalent in Descent and was left out")
    if question.find("shownumcorrect") is not None and question.find("correctfeedback") is not None:
        context.note("the option to show the number of correct responses was left out")


def write_settings(question: ET.Element, item: dict[str, Any], qtype: str, result: ExportResult) -> None:
    """<defaultgrade>, <penalty>, <hidden> and combined feedback of one question."""
    unscored = qtype == "description"  # Moodle gives a description no mark and no penalty
    weight = 0 if unscored else item.get("weight", 1)
    ET.SubElement(question, "defaultgrade").text = short_number(weight)
    penalty = 0 if unscored else item.get("penalty", MOODLE_DEFAULT_PENALTY)
    ET.SubElement(question, "penalty").text = short_number(penalty)
    ET.SubElement(question, "hidden").text = "1" if item.get("hidden") else "0"
    feedback = item.get("combined_feedback") or {}
    if feedback and qtype not in QTYPES_WITH_COMBINED_FEEDBACK:
        result.notes.append(
            f"{item['key']}: Moodle's {qtype} questions have no combined feedback; it is written, but "
            "only Descent reads it back"
        )
    for element, name in COMBINED_FEEDBACK_ELEMENTS.items():
        if name in feedback or qtype in QTYPES_WITH_COMBINED_FEEDBACK:
            holder = ET.SubElement(question, element, format="markdown")
            ET.SubElement(holder, "text").text = feedback.get(name, "")
