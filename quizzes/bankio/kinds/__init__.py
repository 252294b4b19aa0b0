"""Each item kind's mapping to and from Moodle XML and GIFT, one module per kind that has one.

    formats_for(ItemKind.NUMERIC).moodle_writer(item, result)

symbolic and table items have no equivalent in either format, so they have no module here and are
reported as skipped. cloze has a Moodle XML mapping only; its GIFT writer reports it as not written. Moodle's shortanswer is read by `shortanswer.py`, which hands an all-number one to
`numeric.py`. `choices.py` holds what single and multiple share.
"""

from quizzes.bankio.kinds import (
    calculation,
    cloze,
    description,
    essay,
    matching,
    multiple,
    numeric,
    ordering,
    shortanswer,
    single,
    truefalse,
)
from quizzes.bankio.kinds.base import KindFormats, MoodleReader
from quizzes.engine.kinds import ItemKind

FORMATS: dict[ItemKind, KindFormats] = {
    module.FORMATS.kind: module.FORMATS
    for module in (
        single,
        multiple,
        truefalse,
        ordering,
        numeric,
        calculation,
        shortanswer,
        matching,
        description,
        cloze,
        essay,
    )
}
# Moodle question type -> the reader of the kind that imports it.
MOODLE_READERS: dict[str, MoodleReader] = {
    qtype: reader for formats in FORMATS.values() for qtype, reader in formats.moodle_readers.items()
}

__all__ = ["FORMATS", "MOODLE_READERS", "KindFormats", "formats_for"]


def formats_for(kind: object) -> KindFormats | None:
    """The format mappings of `kind`, or None when neither foreign format can express it."""
    if not isinstance(kind, str) or kind not in ItemKind:
        return None
    return FORMATS.get(ItemKind(kind))
