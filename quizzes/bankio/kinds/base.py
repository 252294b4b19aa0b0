"""How one item kind maps to and from the foreign formats (`KindFormats`).

YAML needs no per-kind code: a spec is written as it is stored. Moodle XML and GIFT do: each kind that
has an equivalent there gives a writer (and, for Moodle XML, readers keyed by Moodle question type).
A kind without a `KindFormats` (symbolic, table) is reported as having no equivalent.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.gift_parts import GiftQuestion
from quizzes.bankio.moodle_parts import MoodleQuestion, QuestionContext
from quizzes.engine.kinds import ItemKind

MoodleReader = Callable[[ET.Element, QuestionContext], dict[str, Any] | None]
MoodleWriter = Callable[[dict[str, Any], ExportResult], MoodleQuestion | None]
GiftWriter = Callable[[dict[str, Any], ExportResult], GiftQuestion | None]


def no_explanation(item: dict[str, Any]) -> str:
    return ""


@dataclass(frozen=True)
class KindFormats:
    kind: ItemKind
    # An explanation stating the key, for imported questions that come without general feedback.
    fallback_explanation: Callable[[dict[str, Any]], str] = no_explanation
    # Moodle question type -> reader; a reader returns the kind-specific fields and `kind`, or None
    # after reporting (through the context) why the question was not imported.
    moodle_readers: dict[str, MoodleReader] = field(default_factory=dict)
    # A writer returns None after reporting in the ExportResult why the item was not written.
    moodle_writer: MoodleWriter | None = None
    gift_writer: GiftWriter | None = None
