"""GIFT pieces shared by the reader, the writer and the kinds' mappings (`bankio/kinds/`)."""

from typing import NamedTuple

_SPECIALS = "~=#{}:"


def escape_gift(text: str) -> str:
    """Text safe to place anywhere in a GIFT question (the inverse of the reader's unescaping)."""
    text = text.replace("\\", "\\\\")
    for special in _SPECIALS:
        text = text.replace(special, "\\" + special)
    return text.replace("\r", "").replace("\n", "\\n")


class GiftQuestion(NamedTuple):
    stem: str
    answers: list[str]  # one GIFT answer per line, already escaped
    explanation: str
    braces: bool = True  # false: a description, written as bare text


def with_feedback(text: str, feedback: str) -> str:
    """A GIFT answer with its per-answer feedback (`#...`) when there is one."""
    return f"{text}#{escape_gift(feedback)}" if feedback else text


def percent(weight: float) -> str:
    return f"{weight:.5f}".rstrip("0").rstrip(".")
