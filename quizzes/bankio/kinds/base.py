"""How one item kind maps to and from the foreign formats (`KindFormats`), and how a module says so.

YAML needs no per-kind code: a spec is written as it is stored. Moodle XML and GIFT do. The module (or
small package) of this package named after a kind (`truefalse.py` for truefalse) holds its mapping
under fixed names, each left out where the kind has none:

- `MOODLE_TYPES`: the Moodle question types `read_moodle(question, context)` imports;
- `write_moodle(item, result)` and `write_gift(item, result)`;
- `fallback_explanation(item)`: an explanation stating the key, for imported questions that come
  without general feedback.

`formats_of` gathers them into a `KindFormats`. A kind without a module (symbolic, table) is
reported as having no equivalent.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
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
    fallback_explanation: Callable[[dict[str, Any]], str] = no_explanation
    # Moodle question type -> reader; a reader returns the kind-specific fields and `kind`, or None
    # after reporting (through the context) why the question was not imported.
    moodle_readers: dict[str, MoodleReader] = field(default_factory=dict)
    # A writer returns None after reporting in the ExportResult why the item was not written.
    moodle_writer: MoodleWriter | None = None
    gift_writer: GiftWriter | None = None


def formats_of(kind: ItemKind, module: ModuleType) -> KindFormats:
    """The mapping `module` (the one named after `kind`) holds under the names listed above."""
    return KindFormats(
        kind=kind,
        fallback_explanation=getattr(module, "fallback_explanation", no_explanation),
        moodle_readers={qtype: module.read_moodle for qtype in getattr(module, "MOODLE_TYPES", ())},
        moodle_writer=getattr(module, "write_moodle", None),
        gift_writer=getattr(module, "write_gift", None),
    )
