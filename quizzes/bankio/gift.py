"""GIFT, Moodle's plain-text question format: the subset that maps onto our kinds, both ways.

Supported: multiple choice (`=right ~wrong`), multiple answers (`~%50%right ~%-50%wrong`), true/false
(`{T}`, `{FALSE}`), numeric (`{#0.02:0.001}`, ranges `{#1..5}`, several `=` answers, `{#3:2~#wrong}`),
short text answers (`{=RMSProp =%50%AdaGrad}`), matching (`{=a -> b = -> distractor}`), descriptions
(a text with no answer braces), essays (`{}`), a leading byte-order mark, `::title::`,
`$CATEGORY:`, per-answer feedback `#...`, general feedback `####...`, format tags like `[markdown]`,
escapes `\\~ \\= \\# \\{ \\} \\: \\\\` and `\\n`, and `//` comment lines.
Writing is in `gift_export`; each kind's answers and fallback explanation are in `bankio/kinds/`.
"""

import math
import re
from dataclasses import dataclass

from quizzes.bankio.errors import BankProblem, Location, ParsedBank, Skipped
from quizzes.bankio.html_text import html_to_markdown
from quizzes.bankio.kinds import essay, formats_for
from quizzes.bankio.kinds.choices import choices_from_percents
from quizzes.bankio.kinds.numeric import graded_answer, keep_reachable
from quizzes.bankio.kinds.shortanswer import accepted_answer
from quizzes.bankio.naming import category_parts, category_path, slugify, unique_slug
from quizzes.bankio.tolerances import percent_in_range
from quizzes.engine.kinds import ItemKind
from quizzes.engine.spec import OPTIONAL_EXPLANATION

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT_TAG = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]")


# -- escapes -----------------------------------------------------------------------------------------


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Index of the first `target` at or after `start` that no backslash escapes, or -1."""
    index = start
    while index <= len(text) - len(target):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, start = [], 0
    while (found := _find_unescaped(text, separator, start)) != -1:
        parts.append(text[start:found])
        start = found + len(separator)
    parts.append(text[start:])
    return parts


def _unescape(text: str) -> str:
    # `\n` is a newline, `\\` a backslash, `\~` etc. the bare character; any other backslash
    # (LaTeX such as `\eta`) is left alone.
    return re.sub(r"\\([\\~=#{}:n])", lambda match: "\n" if match.group(1) == "n" else match.group(1), text)


# -- reading -----------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One question (or one $CATEGORY line) and the file lines it spans."""

    text: str
    line_starts: list[tuple[int, int]]  # (offset in text, file line)

    def line_at(self, offset: int) -> int:
        line = self.line_starts[0][1]
        for start, file_line in self.line_starts:
            if start > offset:
                break
            line = file_line
        return line


def _blocks(text: str) -> list[_Block]:
    """Questions are separated by blank lines; comment lines vanish; $CATEGORY lines stand alone."""
    blocks: list[_Block] = []
    lines: list[tuple[int, str]] = []

    def flush() -> None:
        if lines:
            joined, starts, offset = [], [], 0
            for number, content in lines:
                starts.append((offset, number))
                joined.append(content)
                offset += len(content) + 1
            blocks.append(_Block("\n".join(joined), starts))
            lines.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            flush()
        elif stripped.startswith("//"):
            continue
        elif stripped.startswith("$CATEGORY:"):
            flush()
            lines.append((number, stripped))
            flush()
        else:
            lines.append((number, raw.rstrip()))
    flush()
    return blocks


@dataclass
class _Answer:
    weight: float  # percent; 100 = fully right
    text: str  # still escaped
    feedback: str  # unescaped Markdown
    marker: str  # "=" or "~"


def parse_gift(text: str, *, filename: str = "") -> ParsedBank:
    """Items from a GIFT file; unsupported questions go to `.skipped` with their line."""
    result = ParsedBank()
    taken: set[str] = set()
    topic: str | None = None
    category: list[str] = []
    text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the first question
    for block in _blocks(text):
        line = block.line_at(0)
        if block.text.startswith("$CATEGORY:"):
            bank_name, topic = category_parts(block.text[len("$CATEGORY:") :])
            result.name = result.name or bank_name
            category = category_path(block.text[len("$CATEGORY:") :])
            if category == [result.name]:
                category = []  # the bank's own category
            continue
        reader = _QuestionReader(block, filename, result)
        item = reader.read()
        if item is not None and "<img" in block.text.lower():
            reader.note(
                "images are not stored (a GIFT file carries no files): each is kept as text, "
                "[image: its alt text: its address]"
            )
        if item is None:
            continue
        kind, stem = item.pop("kind"), item.pop("stem")
        base = slugify(reader.title or stem[:60], fallback="question")
        item = {
            "key": unique_slug(base, taken),
            "kind": kind,
            "title": reader.title[:200],
            "topics": [topic] if topic else [],
            "difficulty": 2,
            "stem": stem,
            "explanation": reader.general_feedback
            or ("" if kind in OPTIONAL_EXPLANATION else _fallback_explanation(kind, item, reader)),
            "hints": [],
            **item,
        }
        if category:
            item["category"] = list(category)
        result.item_lines[len(result.items)] = {"": line}
        result.items.append(item)
    return result


class _QuestionReader:
    def __init__(self, block: _Block, filename: str, result: ParsedBank) -> None:
        self.block, self.filename, self.result = block, filename, result
        self.title = ""
        self.general_feedback = ""
        self.text_format = "moodle"
        self.line = block.line_at(0)

    def location(self, offset: int = 0) -> Location:
        return Location(file=self.filename, line=self.block.line_at(offset))

    def skip(self, qtype: str, reason: str, offset: int = 0) -> None:
        name = self.title or _first_words(self.block.text)
        self.result.skipped.append(Skipped(name, qtype, reason, self.location(offset)))

    def problem(self, message: str, offset: int = 0) -> None:
        self.result.problems.append(BankProblem(self.location(offset), message))

    def note(self, message: str) -> None:
        name = self.title or _first_words(self.block.text)
        self.result.notes.append(f"{self.filename or 'line'}:{self.line}: '{name}': {message}")
        self.result.question_notes.append((self.line, message, len(self.result.notes) - 1))

    def markdown(self, escaped: str) -> str:
        text = _unescape(escaped).strip()
        return html_to_markdown(text) if self.text_format == "html" else text

    def read(self) -> dict | None:
        text, offset = self.block.text, 0
        if text.startswith("::"):
            end = _find_unescaped(text, "::", 2)
            if end == -1:
                self.problem("the title opened with '::' is never closed")
                return None
            self.title = _unescape(text[2:end]).strip()
            offset = end + 2
        if match := _FORMAT_TAG.match(text[offset:]):
            self.text_format = match.group(1)
            offset += match.end()
        opening = _find_unescaped(text, "{", offset)
        if opening == -1:  # a text without answers is a description
            return {"kind": ItemKind.DESCRIPTION.value, "stem": self.markdown(text[offset:])}
        closing = _find_unescaped(text, "}", opening + 1)
        if closing == -1:
            self.problem("the answer block opened with '{' is never closed", opening)
            return None
        before, answers, after = text[offset:opening], text[opening + 1 : closing], text[closing + 1 :]
        stem = self.markdown(before)
        if after.strip():
            # "Missing word" style: the answers sit inside the sentence; show a blank there.
            stem = f"{stem} \\_\\_\\_\\_\\_ {self.markdown(after)}".strip()
        parts = _split_unescaped(answers, "####")
        if len(parts) > 1:
            self.general_feedback = self.markdown("####".join(parts[1:]))
        item = self.read_answers(parts[0].strip(), opening)
        if item is not None:
            item["stem"] = stem
        return item

    def read_answers(self, answers: str, offset: int) -> dict | None:
        if not answers:  # `{}`: an essay, graded by hand
            return essay.read_gift()
        if answers.startswith("#"):
            return self.read_numeric(answers[1:].strip(), offset)
        head = _split_unescaped(answers, "#")
        if head[0].strip().upper() in ("T", "TRUE", "F", "FALSE"):
            return self.read_truefalse(head, offset)
        parsed = self.split_answers(answers, offset)
        if parsed is None:
            return None
        if any(_find_unescaped(answer.text, "->") != -1 for answer in parsed):
            return self.read_matching(parsed, offset)
        if all(answer.marker == "=" for answer in parsed):
            return self.read_short_answer(parsed, offset)
        return self.read_choices(parsed, offset)

    def split_answers(self, answers: str, offset: int) -> list[_Answer] | None:
        """`=a#fb ~%50%b` → answers. Text before the first marker is an error."""
        markers = [
            index for index in range(len(answers)) if answers[index] in "=~" and _is_unescaped(answers, index)
        ]
        if not markers or answers[: markers[0]].strip():
            self.problem("answers must start with '=' or '~'", offset)
            return None
        parsed = []
        for start, end in zip(markers, [*markers[1:], len(answers)], strict=True):
            body = answers[start + 1 : end].strip()
            weight = 100.0 if answers[start] == "=" else 0.0
            if match := _WEIGHT.match(body):
                weight, body = float(match.group(1)), body[match.end() :]
            text, *feedback = _split_unescaped(body, "#")
            parsed.append(_Answer(weight, text.strip(), self.markdown("#".join(feedback)), answers[start]))
        return parsed

    def read_choices(self, answers: list[_Answer], offset: int) -> dict:
        """One `=` answer worth 100% makes a single item (other weights are partial credit, as in
        Moodle); otherwise a multiple one. Every weight is kept (see `bankio/kinds/choices.py`)."""
        full = [answer for answer in answers if answer.weight >= 100]
        single = len(full) == 1 and full[0].marker == "=" or not any(a.weight > 0 for a in answers)
        weights = [answer.weight for answer in answers]
        if len(full) > 1 and all(weight >= 100 or weight <= 0 for weight in weights):
            # `{=a =b ~c}`: Moodle accepts any one of the full-mark answers; ours needs all ticked.
            self.note("several answers are worth 100%: here every one of them must be ticked")
            weights = [(100 if weight >= 100 else -100) / len(full) for weight in weights]
        item = choices_from_percents(
            [self.markdown(answer.text) for answer in answers],
            weights,
            [answer.feedback for answer in answers],
            single=single,
        )
        return {**item, "shuffle": True}

    def read_truefalse(self, head: list[str], offset: int) -> dict:
        answer = head[0].strip().upper() in ("T", "TRUE")
        # GIFT puts the feedback for a wrong answer first, then the one for a right answer.
        wrong, right = (
            (self.markdown(head[1]) if len(head) > 1 else ""),
            (self.markdown(head[2]) if len(head) > 2 else ""),
        )
        item: dict = {"kind": ItemKind.TRUEFALSE.value, "answer": answer}
        feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
        if feedback_true:
            item["feedback_true"] = feedback_true
        if feedback_false:
            item["feedback_false"] = feedback_false
        return item

    def read_numeric(self, body: str, offset: int) -> dict | None:
        """`{#v:tol}`, `{#low..high}` or several `=`-answers: the first full-marks one is the key."""
        if _find_unescaped(body, "=") == -1:
            # `{#3:2}`, optionally followed by wrong answers: `{#3:2 ~#Completely wrong}` (Moodle's own form).
            first, *wrong = _split_unescaped(body, "~")
            value, *feedback = _split_unescaped(first, "#")
            answers = [_Answer(100.0, value.strip(), self.markdown("#".join(feedback)), "=")]
            for other in wrong:
                text, *feedback = _split_unescaped(other, "#")
                answers.append(_Answer(0.0, text.strip(), self.markdown("#".join(feedback)), "~"))
        else:
            split = self.split_answers(body, offset)
            if split is None:
                return None
            answers = split
        return self.numeric_item(answers, offset)

    def read_short_answer(self, answers: list[_Answer], offset: int) -> dict | None:
        """All-number answers make a numeric item (as before); any text makes a shortanswer item."""
        if all(_numeric_answer(_unescape(answer.text)) is not None for answer in answers):
            return self.numeric_item(answers, offset)
        accepted = []
        for answer in answers:
            text = _unescape(answer.text).strip()
            if not text:
                self.note(f"an empty answer ({answer.weight:g}%) was left out: it can never match")
                continue
            weight = percent_in_range(answer.weight, f"answer {text!r}: weight", self.note)
            accepted.append(accepted_answer(text, weight, answer.feedback))
        return {"kind": ItemKind.SHORTANSWER.value, "answers": accepted}

    def read_matching(self, answers: list[_Answer], offset: int) -> dict | None:
        """`=prompt -> answer` pairs; an empty prompt makes a distractor."""
        pairs, distractors = [], []
        for answer in answers:
            arrow = _find_unescaped(answer.text, "->")
            if answer.marker != "=" or arrow == -1:
                self.problem("every matching answer must be written '=prompt -> answer'", offset)
                return None
            if answer.feedback or answer.weight != 100:
                self.note("matching pairs carry no feedback or weight in GIFT; those were left out")
            prompt = self.markdown(answer.text[:arrow])
            target = _unescape(answer.text[arrow + 2 :]).strip()
            if prompt:
                pairs.append({"prompt": prompt, "answer": target})
            elif target not in distractors:
                distractors.append(target)
        item: dict = {"kind": ItemKind.MATCHING.value, "pairs": pairs}
        if distractors:
            item["distractors"] = distractors
        item["shuffle"] = True
        return item

    def numeric_item(self, answers: list[_Answer], offset: int) -> dict | None:
        """The first full-marks answer is the key (its feedback `answer_feedback`); every other answer
        keeps its value, weight, ± width and feedback (`bankio/kinds/numeric.py`)."""
        key = None
        key_feedback = ""
        others = []
        for answer in answers:
            text = _unescape(answer.text)
            if not text.strip() and answer.weight <= 0:
                # `~#feedback`: feedback for any other answer, which a numeric item has no place for.
                if answer.feedback:
                    self.note(f"the feedback for any other answer ({answer.feedback!r}) was left out")
                continue
            number = _numeric_answer(text)
            if number is None:
                self.problem(f"{text!r} is not a number, 'value:tolerance' or 'low..high'", offset)
                return None
            weight = percent_in_range(answer.weight, f"answer {text}: weight", self.note)
            if weight >= 100 and key is None:
                key, key_feedback = number, answer.feedback
            else:
                others.append((number, weight, answer.feedback))
        if key is None:
            self.problem("no numeric answer is worth full marks", offset)
            return None
        item: dict = {
            "kind": ItemKind.NUMERIC.value,
            "answer": key[0],
            "tolerance": {"mode": "absolute", "value": key[1]},
        }
        if key_feedback:
            item["answer_feedback"] = key_feedback
        graded = [
            graded_answer(number[0], weight, number[1], key[1], text) for number, weight, text in others
        ]
        misconceptions = keep_reachable(key[0], key[1], graded, self.note)
        if misconceptions:
            item["misconceptions"] = misconceptions
        return item


def _is_unescaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 0


def _numeric_answer(text: str) -> tuple[float, float] | None:
    """(value, absolute tolerance) from `v`, `v:tol` or `low..high`; None when it is none of those."""
    text = text.strip()
    if match := re.fullmatch(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})", text):
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        return (low + high) / 2, (high - low) / 2
    if match := re.fullmatch(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?", text):
        value, tolerance = float(match.group(1)), abs(float(match.group(2) or 0))
        return (value, tolerance) if math.isfinite(value) and math.isfinite(tolerance) else None
    return None


def _first_words(text: str) -> str:
    words = _unescape(text).split()
    return " ".join(words[:8]) + (" …" if len(words) > 8 else "")


def _fallback_explanation(kind: str, item: dict, reader: _QuestionReader) -> str:
    """GIFT's general feedback is optional but our explanation is not: state the key instead."""
    reader.note("no general feedback (####); the explanation states the correct answer")
    formats = formats_for(kind)
    stated = formats.fallback_explanation(item) if formats is not None else ""
    # A choice question with no right answer keeps a stub, so the report names the missing answer
    # (the engine's message) rather than the missing explanation.
    return stated or "The correct answer: "
