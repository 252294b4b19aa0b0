"""Moodle's embedded-answers ("cloze", multianswer) syntax: parse it, and write it back.

A cloze stem holds its blanks inline, each written as Moodle writes them:

    {1:NUMERICAL:=0.02:0.001#Right~%50%0.2:0.01#A factor of ten off}
    {2:MULTICHOICE:=Adam#Yes~SGD#No momentum}
    {SHORTANSWER:=momentum#fb~*#Anything else}
    {1:MULTIRESPONSE:=Adam#Yes~=RMSProp#Yes~SGD#No second moment}

`{weight:TYPE:answers}`: the weight (a whole number, default 1) is the blank's share of the item's
marks; TYPE is one of `BLANK_TYPES` (long and short names, as Moodle accepts them); answers are
separated by `~`, each with an optional `=` (100 %) or `%n%` (n %) mark, its text and an optional
`#feedback`. In answer texts and feedback `\\}`, `\\~`, `\\#`, `\\/`, `\\"` and `\\\\` are the bare
characters. Numerical answers are `value` or `value:tolerance` (absolute), or `*` for any other
number; short answers may use `*` as Moodle's wildcard. MULTIRESPONSE blanks (several picks, as
check boxes) score as Moodle scores them: see `multi_fractions`.

`parse_cloze(text)` never raises on bad input: it returns the blanks and the text pieces around
them, or `ClozeError`s that say what is wrong and where (line and column of the stem). Hostile
stems are bounded: at most `MAX_STEM_CHARS` characters, `MAX_BLANKS` blanks and `MAX_ANSWERS`
answers per blank; a blank inside a blank, an unclosed blank and a stray `{` inside a blank are
refused by location. `write_blank` gives back the syntax of a parsed blank (`parse` → `write` →
`parse` is the identity on blanks).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

MAX_STEM_CHARS = 20_000
MAX_BLANKS = 50
MAX_ANSWERS = 40
MAX_ANSWER_CHARS = 500
MAX_WEIGHT = 100

NUMERIC, TEXT, CHOICE, MULTI = "numeric", "text", "choice", "multi"
# Presentations of a choice blank: a drop-down menu, radio buttons one per line, or in a row.
MENU, VERTICAL, HORIZONTAL = "menu", "vertical", "horizontal"


@dataclass(frozen=True)
class BlankType:
    name: str  # the canonical (long) Moodle name, used when writing
    kind: str  # numeric | text | choice | multi (several picks: check boxes)
    case_sensitive: bool = False
    display: str = MENU
    shuffle: bool = False


_TYPES = [
    (("NUMERICAL", "NM"), BlankType("NUMERICAL", NUMERIC)),
    (("SHORTANSWER", "SA", "MW"), BlankType("SHORTANSWER", TEXT)),
    (("SHORTANSWER_C", "SAC", "MWC"), BlankType("SHORTANSWER_C", TEXT, case_sensitive=True)),
    (("MULTICHOICE", "MC"), BlankType("MULTICHOICE", CHOICE)),
    (("MULTICHOICE_V", "MCV"), BlankType("MULTICHOICE_V", CHOICE, display=VERTICAL)),
    (("MULTICHOICE_H", "MCH"), BlankType("MULTICHOICE_H", CHOICE, display=HORIZONTAL)),
    (("MULTICHOICE_S", "MCS"), BlankType("MULTICHOICE_S", CHOICE, shuffle=True)),
    (("MULTICHOICE_VS", "MCVS"), BlankType("MULTICHOICE_VS", CHOICE, display=VERTICAL, shuffle=True)),
    (("MULTICHOICE_HS", "MCHS"), BlankType("MULTICHOICE_HS", CHOICE, display=HORIZONTAL, shuffle=True)),
    (("MULTIRESPONSE", "MR"), BlankType("MULTIRESPONSE", MULTI, display=VERTICAL)),
    (("MULTIRESPONSE_H", "MRH"), BlankType("MULTIRESPONSE_H", MULTI, display=HORIZONTAL)),
    (("MULTIRESPONSE_S", "MRS"), BlankType("MULTIRESPONSE_S", MULTI, display=VERTICAL, shuffle=True)),
    (("MULTIRESPONSE_HS", "MRHS"), BlankType("MULTIRESPONSE_HS", MULTI, display=HORIZONTAL, shuffle=True)),
]
BLANK_TYPES: dict[str, BlankType] = {name: blank_type for names, blank_type in _TYPES for name in names}

# The start of anything that looks like a blank: `{`, an optional weight, `:`, a type in capitals, `:`.
_OPENING = re.compile(r"\{(\d*):([A-Z][A-Z_]*):")
_ESCAPABLE = '}~#/"\\{'
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class ClozeError:
    """One problem of a cloze stem, with the 1-based line and column where it starts."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class ClozeAnswer:
    text: str  # unescaped; for numeric blanks the value (or "*")
    fraction: float  # -1..1
    feedback: str = ""
    tolerance: float = 0.0  # numeric blanks only (absolute)
    # Written with a `%n%` mark other than `%0%` (Moodle's test for "specific" fractions, which decides
    # how a MULTIRESPONSE blank's unmarked wrong answers score; see `multi_fractions`).
    percent: bool = False


@dataclass
class Blank:
    number: int  # 1-based, in the order the blanks appear
    weight: int
    type: BlankType
    answers: list[ClozeAnswer] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.type.kind


@dataclass
class ParsedCloze:
    pieces: list[str]  # text around the blanks: len(pieces) == len(blanks) + 1
    blanks: list[Blank]
    errors: list[ClozeError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unescape(text: str) -> str:
    return re.sub(r"\\([}~#/\"\\{])", r"\1", text)


def escape(text: str) -> str:
    """Text safe inside a blank: the characters that end an answer or a blank get a backslash."""
    return re.sub(r"([\\}~#{])", r"\\\1", text)


def parse_cloze(text: str) -> ParsedCloze:
    """The blanks of a cloze stem and the text around them, or every problem with its location."""
    if not isinstance(text, str):
        return ParsedCloze([""], [], [ClozeError(1, 1, "the stem must be text")])
    if len(text) > MAX_STEM_CHARS:
        return ParsedCloze(
            [text], [], [ClozeError(1, 1, f"the stem is {len(text)} characters; at most {MAX_STEM_CHARS}")]
        )
    pieces: list[str] = []
    blanks: list[Blank] = []
    errors: list[ClozeError] = []
    start = index = 0
    while (match := _OPENING.search(text, index)) is not None:
        opening = match.start()
        if opening > 0 and text[opening - 1] == "\\":  # an escaped brace is text
            index = opening + 1
            continue
        type_name = match.group(2)
        if type_name not in BLANK_TYPES:
            line, column = _position(text, opening)
            message = f"unknown blank type {type_name!r}; known: {', '.join(sorted(BLANK_TYPES))}"
            errors.append(ClozeError(line, column, message))
            index = match.end()
            continue
        closing, problem = _blank_end(text, match.end())
        if closing is None:
            line, column = _position(text, opening if problem is None else problem[0])
            errors.append(
                ClozeError(line, column, problem[1] if problem else "this blank is never closed with '}'")
            )
            break
        if len(blanks) >= MAX_BLANKS:
            line, column = _position(text, opening)
            errors.append(ClozeError(line, column, f"at most {MAX_BLANKS} blanks in one stem"))
            break
        blank, blank_errors = _blank(
            len(blanks) + 1, match.group(1), BLANK_TYPES[type_name], text, (opening, match.end(), closing)
        )
        errors += blank_errors
        pieces.append(text[start:opening])
        blanks.append(blank)
        start = index = closing + 1
    pieces.append(text[start:])
    if not blanks and not errors:
        errors.append(ClozeError(1, 1, "no blank found; write one as {1:SHORTANSWER:=answer}"))
    return ParsedCloze(pieces, blanks, errors)


def _blank_end(text: str, index: int) -> tuple[int | None, tuple[int, str] | None]:
    """Offset of the `}` closing a blank whose answers start at `index`, or a located problem."""
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "}":
            return index, None
        if char == "{":
            nested = _OPENING.match(text, index)
            what = (
                "a blank cannot contain another blank" if nested else "write '\\{' for a brace inside a blank"
            )
            return None, (index, what)
        index += 1
    return None, None


def _split(body: str, separator: str) -> list[tuple[int, str]]:
    """Parts of `body` between unescaped separators, each with its offset in `body`."""
    parts, start, index = [], 0, 0
    while index < len(body):
        if body[index] == "\\":
            index += 2
            continue
        if body[index] == separator:
            parts.append((start, body[start:index]))
            start = index + 1
        index += 1
    parts.append((start, body[start:]))
    return parts


_MARK = re.compile(r"^(=|%(-?\d+(?:[.,]\d*)?)%)")


def _blank(
    number: int, weight_text: str, blank_type: BlankType, text: str, span: tuple[int, int, int]
) -> tuple[Blank, list[ClozeError]]:
    opening, begin, end = span
    errors: list[ClozeError] = []

    def error(offset: int, message: str) -> None:
        line, column = _position(text, begin + offset)
        errors.append(ClozeError(line, column, f"blank {number}: {message}"))

    weight = int(weight_text) if weight_text else 1
    if not 1 <= weight <= MAX_WEIGHT:
        error(opening + 1 - begin, f"weight {weight} must be from 1 to {MAX_WEIGHT}")
        weight = 1
    blank = Blank(number, weight, blank_type)
    parts = _split(text[begin:end], "~")
    if len(parts) > MAX_ANSWERS:
        error(opening - begin, f"at most {MAX_ANSWERS} answers in one blank")
        return blank, errors
    for offset, part in parts:
        answer = _answer(part, blank_type, functools.partial(error, offset))
        if answer is not None:
            blank.answers.append(answer)
    if errors:
        return blank, errors
    whole = opening - begin  # problems of the whole blank point at its opening brace
    if blank.kind == MULTI:
        if not any(answer.fraction > 0 for answer in blank.answers):
            error(whole, "no answer is worth marks; mark the right ones with '=' or '%n%'")
    elif not any(answer.fraction >= 1 for answer in blank.answers):
        error(whole, "no answer is worth full marks; mark one with '='")
    texts = [
        answer.text if blank.kind != TEXT or blank_type.case_sensitive else answer.text.lower()
        for answer in blank.answers
    ]
    if len(set(texts)) != len(texts):
        error(whole, "two answers have the same text")
    if blank.kind in (CHOICE, MULTI) and len(blank.answers) < 2:
        error(whole, "a choice blank needs at least two answers")
    return blank, errors


def _answer(part: str, blank_type: BlankType, error: Callable[[str], None]) -> ClozeAnswer | None:
    body = part.strip()
    fraction = 0.0
    percent = False
    if match := _MARK.match(body):
        if match.group(1) == "=":
            fraction = 1.0
        else:
            fraction = float(match.group(2).replace(",", ".")) / 100
            percent = match.group(2) != "0"
            if not -1 <= fraction <= 1:
                error(f"the mark {match.group(0)} must be from -100% to 100%")
                return None
        body = body[match.end() :]
    pieces = _split(body, "#")
    answer_text = body[: pieces[1][0] - 1] if len(pieces) > 1 else body
    feedback = unescape(body[pieces[1][0] :]).strip() if len(pieces) > 1 else ""
    answer_text = unescape(answer_text).strip()
    if not answer_text:
        error("an answer has no text")
        return None
    if len(answer_text) > MAX_ANSWER_CHARS or len(feedback) > 2 * MAX_ANSWER_CHARS:
        error(f"an answer or its feedback is too long (answers at most {MAX_ANSWER_CHARS} characters)")
        return None
    if fraction < 0 and blank_type.kind not in (CHOICE, MULTI):
        error(f"negative marks ({fraction * 100:g}%) are only possible in a choice blank")
        return None
    answer = ClozeAnswer(answer_text, fraction, feedback, percent=percent)
    if blank_type.kind == NUMERIC and answer_text != "*":
        value, _, tolerance = answer_text.partition(":")
        if not _NUMBER.fullmatch(value.strip()) or (tolerance and not _NUMBER.fullmatch(tolerance.strip())):
            error(f"{answer_text!r} is not a number or 'number:tolerance'")
            return None
        answer.text = value.strip()
        answer.tolerance = abs(float(tolerance)) if tolerance else 0.0
        if not all(abs(float(x)) < 1e300 for x in (answer.text, answer.tolerance)):
            error(f"{answer_text!r} is too large")
            return None
    return answer


def _number_text(value: float) -> str:
    return f"{value:.15g}"


def _mark(answer: ClozeAnswer) -> str:
    if answer.fraction >= 1 and not answer.percent:
        return "="
    if answer.fraction == 0:
        return "%0.0%" if answer.percent else ""  # Moodle reads `%0%` as no mark, `%0.0%` as a mark
    percent = f"{answer.fraction * 100:.5f}".rstrip("0").rstrip(".")
    return f"%{percent}%"


def write_blank(blank: Blank) -> str:
    """The Moodle syntax of one blank, e.g. `{2:MULTICHOICE:=Adam#Yes~SGD}`."""
    answers = []
    for answer in blank.answers:
        if blank.kind == NUMERIC and answer.text != "*":
            text = answer.text + (f":{_number_text(answer.tolerance)}" if answer.tolerance else "")
        else:
            text = escape(answer.text)
        feedback = f"#{escape(answer.feedback)}" if answer.feedback else ""
        answers.append(f"{_mark(answer)}{text}{feedback}")
    return "{" + f"{blank.weight}:{blank.type.name}:" + "~".join(answers) + "}"


def write_cloze(parsed: ParsedCloze) -> str:
    """The stem again, every blank written in its canonical form."""
    parts = [parsed.pieces[0]]
    for blank, piece in zip(parsed.blanks, parsed.pieces[1:], strict=True):
        parts += [write_blank(blank), piece]
    return "".join(parts)


def numeric_accepts(answer: ClozeAnswer, value: Fraction) -> bool:
    """Whether a numeric answer (value ± tolerance, or `*`) accepts the number typed."""
    if answer.text == "*":
        return True
    key = Fraction(answer.text)
    return abs(value - key) <= Fraction(str(answer.tolerance))


def multi_fractions(blank: Blank) -> list[float]:
    """What each answer of a MULTIRESPONSE blank is worth when ticked, as Moodle computes it on import.

    The positive marks are scaled to add up to 1 (`=a~=b~c`: a and b are worth 1/2 each). When no
    answer carries a `%n%` mark, every answer that is not right costs as much as one right answer is
    worth (`c` above: -1/2), so ticking everything never pays; otherwise zero and negative marks are
    kept as written. The blank scores the sum of its ticked answers, from 0 to 1 (`multi_score`).
    """
    total = sum(answer.fraction for answer in blank.answers if answer.fraction > 0)
    specific = any(answer.percent for answer in blank.answers)
    if not total:
        return [answer.fraction for answer in blank.answers]
    return [
        answer.fraction / total if answer.fraction > 0 else answer.fraction if specific else -1 / total
        for answer in blank.answers
    ]


def multi_score(blank: Blank, ticked: set[int]) -> float:
    """Moodle's score of a MULTIRESPONSE blank for the answers ticked (by index): their sum in 0..1."""
    worth = multi_fractions(blank)
    return min(1.0, max(0.0, sum(worth[index] for index in sorted(ticked))))
