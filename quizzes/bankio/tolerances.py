"""Numbers in foreign files: tolerance conversions for formats that only know an absolute ± (Moodle
numerical, GIFT `value:tol`), grades held to 0..100 %, and numbers written without float noise."""

import math
from collections.abc import Callable

from quizzes.bankio.errors import ExportResult


def absolute_tolerance(answer: float, tolerance: dict | None, key: str, result: ExportResult) -> float:
    """The ± width that matches our tolerance at `answer`; conversions are noted in `result`."""
    tolerance = tolerance or {"mode": "absolute", "value": 0}
    mode, value = tolerance.get("mode", "absolute"), float(tolerance.get("value", 0))
    if mode == "relative":
        result.notes.append(f"{key}: relative tolerance {value:g} became an absolute one around the key")
        return abs(answer) * value
    if mode == "sigfigs":
        result.notes.append(f"{key}: a {value:g}-significant-figure tolerance became an absolute one")
        if answer == 0:
            return 0.0
        # Half a unit in the last significant place: anything that rounds to the key is accepted.
        return 0.5 * 10 ** (math.floor(math.log10(abs(answer))) - int(value) + 1)
    return abs(value)


def short_number(value: float) -> str:
    """A number for a foreign file: 12 significant figures hide float noise (99.99999999999991 → 100)."""
    return f"{float(value):.12g}"


def percent_in_range(percent: float, what: str, note: Callable[[str], None]) -> float:
    """An answer's grade held to 0..100 %; `note` hears about a grade outside (`what` names it)."""
    kept = min(100.0, max(0.0, percent))
    if kept != percent:
        note(f"{what} {percent:g}% is outside 0..100 and became {kept:g}%")
    return kept
