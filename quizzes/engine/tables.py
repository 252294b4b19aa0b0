"""The table machinery behind table items; how cells are judged is in the kind, `kinds/table.py`.

Cells are named column + step ("m1", "theta1", "m2", ...): `cell_names`. `key_cells` runs the
table calculator for the key; `carried_values` runs it once over a student's cells and yields, for
every cell, the value that follows from the student's own earlier cells (error carried forward).

Cost: one calculator pass per check, whatever the number of wrong cells; the key comes from the
variant and the dependency order is cached per table and parameters (`dependency_order`).
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import numpy as np

from quizzes.engine.calculators import resolve_arguments
from quizzes.engine.optimizers import CalculatorError
from quizzes.engine.table_calculators import RESERVED_ARGUMENTS, TABLE_CALCULATORS, StudentCells
from quizzes.engine.templates import VariantError

TABLE_FIELDS = {"calc", "args", "rows", "columns"}


def _table(item: dict[str, Any]) -> dict[str, Any]:
    table = item.get("table")
    return table if isinstance(table, dict) else {}


def columns_of(item: dict[str, Any]) -> list[str]:
    return [str(column) for column in _table(item).get("columns") or []]


def row_count(item: dict[str, Any]) -> int:
    return int(_table(item).get("rows", 0))


def cell_names(item: dict[str, Any]) -> list[str]:
    rows = row_count(item)
    return [f"{column}{step}" for step in range(1, int(rows) + 1) for column in columns_of(item)]


def _calculate(item: dict[str, Any], params: dict[str, Any], known: dict[str, float]) -> dict[str, float]:
    table = _table(item)
    function = TABLE_CALCULATORS.get(str(table.get("calc")))
    if function is None:
        raise VariantError(
            f"unknown table calculator {table.get('calc')!r}; known: {', '.join(TABLE_CALCULATORS)}"
        )
    try:
        kwargs = resolve_arguments(
            function, table.get("args") or {}, params, reserved=set(RESERVED_ARGUMENTS)
        )
        return function(rows=table.get("rows"), columns=tuple(columns_of(item)), known=known, **kwargs)
    except CalculatorError as error:
        raise VariantError(f"table.{table.get('calc')}: {error}") from error
    except (TypeError, ValueError, ArithmeticError) as error:
        raise VariantError(f"table.{table.get('calc')}: {error}") from error


def key_cells(item: dict[str, Any], params: dict[str, Any]) -> dict[str, float]:
    """The key of every requested cell, in dependency order."""
    everything = _calculate(item, params, {})
    wanted = set(cell_names(item))
    cells = {name: value for name, value in everything.items() if name in wanted}
    missing = sorted(wanted - set(cells))
    if missing:
        raise VariantError(f"table: the calculator does not produce {', '.join(missing)}")
    for name, value in cells.items():
        if not math.isfinite(value):
            raise VariantError(f"table: cell {name} is not finite ({value})")
    return cells


def scalar_args(item: dict[str, Any]) -> dict[str, Any]:
    """Table args usable as placeholders (numbers and words, e.g. {{theta0}}, {{optimizer}})."""
    args = _table(item).get("args") or {}
    return {
        name: value
        for name, value in args.items()
        if isinstance(value, int | float | str) and not isinstance(value, bool) and "{{" not in str(value)
    }


def spec_problems(item: dict[str, Any]) -> list[str]:
    table = item.get("table")
    if not isinstance(table, dict):
        return ["table: required mapping with calc, args, rows, columns"]
    problems = [f"table.{field}: unknown field" for field in sorted(set(table) - TABLE_FIELDS)]
    if table.get("calc") not in TABLE_CALCULATORS:
        problems.append(
            f"table.calc: unknown table calculator {table.get('calc')!r}; known: {', '.join(TABLE_CALCULATORS)}"
        )
    if not isinstance(table.get("args", {}), dict):
        problems.append("table.args: must be a mapping")
    rows = table.get("rows")
    if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= 20:
        problems.append("table.rows: must be a whole number of steps from 1 to 20")
    columns = table.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns):
        problems.append("table.columns: must be a non-empty list of column names")
    elif len(set(columns)) != len(columns):
        problems.append("table.columns: a column is listed twice")
    return problems


def dependency_order(item: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """The requested cells in the order the calculator computes them (a cell needs only earlier ones)."""
    table = {field: _table(item).get(field) for field in sorted(TABLE_FIELDS)}
    try:
        fingerprint = json.dumps([table, params], sort_keys=True)
    except (TypeError, ValueError):  # not JSON data (never from a bank file): compute without the cache
        return _dependency_order(item, params)
    return list(_cached_dependency_order(fingerprint))


@functools.lru_cache(maxsize=1024)
def _cached_dependency_order(fingerprint: str) -> tuple[str, ...]:
    table, params = json.loads(fingerprint)
    return tuple(_dependency_order({"table": table}, params))


def _dependency_order(item: dict[str, Any], params: dict[str, Any]) -> list[str]:
    wanted = set(cell_names(item))
    return [name for name in _calculate(item, params, {}) if name in wanted]


def carried_values(item: dict[str, Any], params: dict[str, Any], given: dict[str, float]) -> dict[str, float]:
    """For each cell, the value that follows from the student's `given` cells before it.

    One calculator pass with the student's cells as `known`. A cell missing from the result cannot
    be computed from the student's work (it depends on an impossible value such as a negative
    average of squares, or the calculator failed there): it can only be right, never carried forward.
    """
    student = StudentCells(given)
    # A student's huge number may overflow to inf; that only makes later cells non-finite.
    with np.errstate(over="ignore", under="ignore"):
        try:
            _calculate(item, params, student)
        except VariantError:
            pass
    wanted = set(cell_names(item))
    return {
        name: value for name, value in student.expected.items() if name in wanted and math.isfinite(value)
    }
