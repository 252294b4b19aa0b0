"""Size limits on a bank file, checked before the expensive work (Django-free; the site's values are
settings, see `quizzes/services/import_limits.py`).

The byte limit is checked first, on the text alone, so an oversized file never reaches a parser; the
question count is estimated from the raw text (so a file of 170,000 questions is refused in
milliseconds) and checked exactly after parsing; every text of every item is held to `max_text_chars`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from quizzes.bankio.errors import BankProblem, Location, ParsedBank
from quizzes.bankio.media import MediaBudget

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 5 * MIB
    max_questions: int = 5000
    max_text_chars: int = 100_000
    max_media_bytes: int = 1 * MIB  # one embedded image or file, decoded
    max_media_total_bytes: int = 3 * MIB  # every embedded file of one import together, decoded

    def media_budget(self) -> MediaBudget:
        return MediaBudget(max_file_bytes=self.max_media_bytes, max_total_bytes=self.max_media_total_bytes)


def human_size(count: int) -> str:
    return f"{count / MIB:.1f} MB" if count >= MIB else f"{count / 1024:.0f} KB"


def text_too_big(text: str, limits: ImportLimits, filename: str = "") -> BankProblem | None:
    """A problem when the text is larger than `max_bytes` as UTF-8."""
    # A character is at least one byte: a text with more characters than the limit is over it.
    size = len(text) if len(text) > limits.max_bytes else len(text.encode("utf-8"))
    if size <= limits.max_bytes:
        return None
    message = (
        f"the file is {human_size(size)}, more than the {human_size(limits.max_bytes)} a bank import accepts; "
        "split it into several banks"
    )
    return BankProblem(Location(file=filename), message)


_ESTIMATES = {
    "moodle-xml": re.compile(r"<question\b(?![^>]*type\s*=\s*[\"']category[\"'])"),
    "gift": re.compile(r"(?<!\\)\{"),
    "yaml": re.compile(r"^\s*-\s+key\s*:", re.M),
}


def too_many_questions(text: str, fmt: str, limits: ImportLimits, filename: str = "") -> BankProblem | None:
    """A problem when the raw text already holds more questions than `max_questions`."""
    pattern = _ESTIMATES.get(fmt)
    if pattern is None:
        return None
    count = 0
    for _match in pattern.finditer(text):
        count += 1
        if count > limits.max_questions:
            return _count_problem(limits, filename)
    return None


def estimated_questions(text: str, fmt: str, cap: int) -> int:
    """About how many questions the raw text holds (at most `cap`), to show an import's progress."""
    pattern = _ESTIMATES.get(fmt)
    count = 0
    for _match in pattern.finditer(text) if pattern is not None else ():
        count += 1
        if count >= cap:
            break
    return count


def _count_problem(limits: ImportLimits, filename: str) -> BankProblem:
    message = (
        f"the file holds more than {limits.max_questions} questions, the most one import accepts; split it"
    )
    return BankProblem(Location(file=filename), message)


def _texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for name, entry in value.items():
            yield from _texts(entry, f"{path}.{name}" if path else str(name))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            yield from _texts(entry, f"{path}[{index}]")


def parsed_limit_problems(parsed: ParsedBank, limits: ImportLimits, filename: str = "") -> list[BankProblem]:
    """The exact question count, and every text longer than `max_text_chars`, with its location."""
    if len(parsed.items) + len(parsed.skipped) > limits.max_questions:
        return [_count_problem(limits, filename)]
    problems = []
    for index, item in enumerate(parsed.items):
        if not isinstance(item, dict):
            continue
        for path, text in _texts(item):
            if len(text) > limits.max_text_chars:
                key = item.get("key") if isinstance(item.get("key"), str) else None
                line = parsed.item_lines.get(index, {}).get(
                    path.split(".")[0].split("[")[0]
                ) or parsed.item_lines.get(index, {}).get("")
                location = Location(file=filename, item_index=index, item_key=key, field=path, line=line)
                message = f"is {len(text):,} characters long, more than the {limits.max_text_chars:,} allowed"
                problems.append(BankProblem(location, message))
    return problems
