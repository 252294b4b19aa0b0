"""Located problems and the result every bank reader returns.

A reader never stops at the first mistake: it collects every problem it can find, each with
where it is (file, item, field, line), so an author fixes a file in one pass.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Location:
    """Where a problem is. Every part is optional; `str()` prints only the parts that are known."""

    file: str = ""
    item_index: int | None = None  # 0-based position in the file's item list
    item_key: str | None = None
    field: str = ""  # a dotted path inside the item (or the bank), e.g. "choices[2].text"
    line: int | None = None  # 1-based line in the source file

    def __str__(self) -> str:
        where = self.file or "<bank>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.item_index is not None:
            item = f"item {self.item_index + 1}"
            if self.item_key:
                item += f" ({self.item_key})"
            parts.append(item)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


@dataclass(frozen=True)
class BankProblem:
    """One thing wrong with a bank file or a stored item, and where it is."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Skipped(NamedTuple):
    """A question a foreign format holds that we cannot express; reported, never silently dropped."""

    name: str
    type: str
    reason: str = ""
    location: Location = Location()

    def __str__(self) -> str:
        text = f"{self.name} [{self.type}]"
        if self.reason:
            text += f": {self.reason}"
        if self.location != Location():
            text = f"{self.location}: {text}"
        return text


def add_category(categories: list[dict], path: list[str], description: str = "") -> None:
    """Record a category (once; a later description fills an empty one)."""
    for category in categories:
        if category["path"] == path:
            category["description"] = category["description"] or description
            return
    categories.append({"path": list(path), "description": description})


@dataclass(frozen=True)
class MediaFile:
    """An image or file a bank file carries: its name (as that file calls it), its type (one of
    `bankio.media.ALLOWED_TYPES`, found from the bytes) and its bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ParsedBank:
    """What a reader made of a file: bank metadata, items as engine dicts, and what went wrong.

    `items` are in the exact shape of the bank YAML format (common fields + kind-specific ones).
    `item_lines` maps an item index to {field path: line} when the format knows lines, so later
    checks (the engine's) can point at a line too.
    """

    slug: str = ""
    name: str = ""
    description: str = ""
    items: list[dict] = field(default_factory=list)
    # The described levels of the category tree: [{"path": [names], "description": text}].
    categories: list[dict] = field(default_factory=list)
    problems: list[BankProblem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    item_lines: dict[int, dict[str, int]] = field(default_factory=dict)
    # What a reader changed in one question: (the question's first line, message, index in `notes`).
    # Every entry is in `notes` too; this lets an import preview list the changes per question.
    question_notes: list[tuple[int | None, str, int]] = field(default_factory=list)
    # Images and files the items refer to (`media:<digest>/<name>`), by digest (see `bankio.media`).
    media: dict[str, MediaFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class BankExport:
    """What an export writes: the bank's slug, name and description, its items, and its
    named categories with their descriptions ({"path", "description"})."""

    slug: str
    name: str
    items: list[dict[str, Any]]
    description: str = ""
    categories: list[dict[str, Any]] = field(default_factory=list)
    # The bank's stored files by digest, for the `media:` references in the items' texts.
    media: dict[str, MediaFile] = field(default_factory=dict)


@dataclass
class ExportResult:
    """Text in a foreign format plus the items that format could not express."""

    text: str
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class BankFormatError(ValueError):
    """Raised only by callers that want an exception; readers themselves return problems."""

    def __init__(self, problems: list[BankProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
