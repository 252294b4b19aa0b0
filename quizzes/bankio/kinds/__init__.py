"""Each item kind's mapping to and from Moodle XML and GIFT, one module per kind that has one
(calculation, the largest, is a small package).

    formats_for(ItemKind.NUMERIC).moodle_writer(item, result)

A kind's module is named after it and holds its mapping under the names `base.py` lists; adding a
kind's mapping is adding that module. symbolic and table items have no equivalent in either format,
so they have no module here and are reported as skipped. cloze has a Moodle XML mapping only; its
GIFT writer reports it as not written. Moodle's shortanswer is read by `shortanswer.py`, which hands
an all-number one to `numeric.py`. `choices.py` holds what single and multiple share.
"""

import importlib
import importlib.util

from quizzes.bankio.kinds.base import KindFormats, MoodleReader, formats_of
from quizzes.engine.kinds import ItemKind


def _discover() -> dict[ItemKind, KindFormats]:
    found: dict[ItemKind, KindFormats] = {}
    for kind in ItemKind:
        name = f"{__name__}.{kind.value}"
        if importlib.util.find_spec(name) is not None:
            found[kind] = formats_of(kind, importlib.import_module(name))
    return found


FORMATS: dict[ItemKind, KindFormats] = _discover()
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
