"""Moodle-style units for numeric items: accepted unit names with multipliers, and unit grading.

    unit_options:
      units: [{unit: m, multiplier: 1}, {unit: cm, multiplier: 100}]   # value in the unit / multiplier
      grading: optional      # optional (never penalised) | response (lose `penalty` × the answer's
                             # score) | question (lose `penalty` of the item's marks), when the unit is missing
      penalty: 0.1
      show: input            # input | choice | select | none (Moodle's showunits; none: numbers only)
      left: false            # Moodle shows the unit before the number

The unit is typed after the number ("150 cm"). `choice`, `select` and `left` are kept for export:
Descent always asks for the unit typed after the number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

UNIT_GRADINGS = ("optional", "response", "question")
UNIT_SHOWS = ("input", "choice", "select", "none")
UNIT_FIELDS = frozenset({"units", "grading", "penalty", "show", "left"})
MAX_UNIT_LENGTH = 40


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def unit_options_problems(options: Any) -> list[str]:
    if not isinstance(options, dict):
        return ["unit_options: must be a mapping with `units` and the unit grading settings"]
    problems = [f"unit_options.{name}: unknown field" for name in sorted(set(options) - UNIT_FIELDS)]
    units = options.get("units")
    if not isinstance(units, list) or not units:
        return [*problems, "unit_options.units: must be a list of {unit, multiplier}"]
    names = []
    for index, entry in enumerate(units):
        where = f"unit_options.units[{index}]"
        if not isinstance(entry, dict) or set(entry) - {"unit", "multiplier"}:
            problems.append(f"{where}: must be a mapping {{unit, multiplier}}")
            continue
        name = entry.get("unit")
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > MAX_UNIT_LENGTH
            or name != name.strip()
        ):
            problems.append(f"{where}.unit: must be a unit name of at most {MAX_UNIT_LENGTH} characters")
        elif any(char.isdigit() for char in name[:1]):
            problems.append(f"{where}.unit: must not start with a digit")
        names.append(name)
        multiplier = entry.get("multiplier", 1)
        if not _is_number(multiplier) or multiplier <= 0:
            problems.append(f"{where}.multiplier: must be a positive number")
    if len(set(names)) != len(names):
        problems.append("unit_options.units: a unit is listed twice")
    if options.get("grading", "optional") not in UNIT_GRADINGS:
        problems.append(f"unit_options.grading: must be one of {', '.join(UNIT_GRADINGS)}")
    penalty = options.get("penalty", 0.1)
    if not _is_number(penalty) or not 0 <= penalty <= 1:
        problems.append("unit_options.penalty: must be a number from 0 to 1")
    if options.get("show", "input") not in UNIT_SHOWS:
        problems.append(f"unit_options.show: must be one of {', '.join(UNIT_SHOWS)}")
    if not isinstance(options.get("left", False), bool):
        problems.append("unit_options.left: must be true or false")
    return problems


@dataclass(frozen=True)
class TypedUnit:
    number: str  # the text of the number alone
    unit: str | None  # the unit typed, None when there was none
    multiplier: float  # what the number is divided by to reach the base unit


def accepted_units(options: dict[str, Any]) -> list[str]:
    if options.get("show", "input") == "none":
        return []
    return [str(entry["unit"]) for entry in options.get("units", []) if isinstance(entry, dict)]


def split_unit(text: str, options: dict[str, Any]) -> TypedUnit | None:
    """The number and unit of `text`; None when it ends in text that is no accepted unit.

    A text that is only a number gives unit None. The longest accepted unit the text ends with wins.
    """
    stripped = text.strip()
    units = sorted(
        (entry for entry in options.get("units", []) if isinstance(entry, dict)),
        key=lambda entry: -len(str(entry.get("unit", ""))),
    )
    if options.get("show", "input") != "none":
        for entry in units:
            name = str(entry.get("unit", ""))
            if name and stripped.endswith(name):
                number = stripped[: -len(name)].rstrip()
                if number and (number[-1].isdigit() or number[-1] == "."):  # "1.5 km" is not "1.5 k" + "m"
                    return TypedUnit(number, name, float(entry.get("multiplier", 1)))
    if stripped and (stripped[-1].isdigit() or stripped[-1] == "."):
        return TypedUnit(stripped, None, 1.0)
    return None


def unit_penalised(score: float, options: dict[str, Any]) -> float:
    """The score once a missing unit is penalised under the item's unit grading."""
    grading, penalty = options.get("grading", "optional"), float(options.get("penalty", 0.1))
    if grading == "response":
        return score * (1 - penalty)
    if grading == "question":
        return max(0.0, score - penalty)
    return score
