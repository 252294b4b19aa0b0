"""table items: multi-step tables with error carried forward.

Cells are named column + step ("m1", "theta1", "m2", ...). Each cell is judged in the table
calculator's dependency order:
- correct: within tolerance of the key;
- carried forward: not the key, but within tolerance of the value the calculator computes from
  the student's own earlier cells. It earns CARRIED_FORWARD_CREDIT (full credit: the original
  slip is already charged at the cell where it happened) and the feedback names the earlier
  wrong cells it follows from. When every earlier cell was right (the student just rounded
  them), a value consistent with the rounded cells counts as plainly correct;
- wrong, or empty.
Score = credited cells / cells. A cell that is not a number makes the whole response invalid
(nothing is recorded; the message names the cell) so a typo never costs marks.

The recurrences, dependency order and carried-forward values are in `quizzes/engine/tables.py`
and `table_calculators.py`; this module is the kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quizzes.engine import tables
from quizzes.engine.kinds.base import CELL_PREFIX, MAX_TEXT_LENGTH, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.checks import params_problems, tolerance_problems, variant_problems
from quizzes.engine.numbers import NumberFormatError, Tolerance, format_number, parse_number
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.tables import carried_values, cell_names, columns_of, dependency_order, row_count

CARRIED_FORWARD_CREDIT = 1.0


class TableKind(BaseKind):
    kind = ItemKind.TABLE
    fields = frozenset({"table", "tolerance", "params", "constraints"})
    widget = Widget.TABLE
    templated = True
    example = """\
# Students fill one cell per column and step (here m1, theta1, m2, theta2). A cell that follows
# correctly from the student's own earlier cells is accepted as "carried forward".
table:
  calc: momentum_table
  args: {optimizer: momentum-lr-inside, problem: parabola, theta0: 10, lr: 0.1, beta: 0.9}
  rows: 2
  columns: [m, theta]
tolerance: {mode: absolute, value: 0.005}
params: {}                             # optional, as for calculation items
"""

    def problems(self, item: ItemDict) -> list[str]:
        problems = params_problems(item) + tolerance_problems(item) + tables.spec_problems(item)
        return problems or variant_problems(item, self.values)

    def values(self, item: ItemDict, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        values = {**tables.scalar_args(item), **params, **tables.key_cells(item, params)}
        misconception_answers = [
            misconception.get("answer") if isinstance(misconception, dict) else None
            for misconception in item.get("misconceptions") or []
        ]
        return values, misconception_answers

    def has_key_values(self, item: ItemDict, variant: Variant) -> bool:
        return all(name in variant.values for name in cell_names(item))

    def key_cells(self, item: ItemDict) -> Iterable[str]:
        return cell_names(item)

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        columns = columns_of(item)
        rendered.table = {
            "columns": columns,
            "rows": [
                {"step": step, "cells": [f"{column}{step}" for column in columns]}
                for step in range(1, row_count(item) + 1)
            ],
        }
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        names = dependency_order(item, variant.params)
        key = {name: float(variant.values[name]) for name in names}
        given, problems = _parse_cells(item, response)
        if problems:
            return CheckResult(INVALID, 0.0, problems)
        tolerance = Tolerance.from_spec(item.get("tolerance"))
        results: dict[str, dict[str, Any]] = {}
        feedback: list[str] = []
        credit = 0.0
        earlier: dict[str, float] = {}
        wrong_so_far: list[str] = []
        carried_by_cell: dict[str, float] | None = None  # computed on the first cell that needs it
        for name in names:
            entry: dict[str, Any] = {"expected": key[name], "given": given.get(name)}
            if name not in given:
                entry["status"] = "empty"
                wrong_so_far.append(name)
            elif tolerance.accepts(key[name], given[name]):
                entry["status"] = "correct"
                credit += 1.0
            else:
                if carried_by_cell is None:
                    carried_by_cell = carried_values(item, variant.params, given)
                # With no earlier cell of the student's there is nothing to carry forward from.
                carried = carried_by_cell.get(name) if earlier else None
                if carried is not None and tolerance.accepts(carried, given[name]):
                    entry["carried_from"] = list(wrong_so_far)
                    if wrong_so_far:
                        entry["status"] = "carried"
                        credit += CARRIED_FORWARD_CREDIT
                        sources = ", ".join(wrong_so_far[-2:])
                        feedback.append(f"{name}: carried forward from your {sources}.")
                    else:
                        entry["status"] = "correct"
                        credit += 1.0
                else:
                    entry["status"] = "wrong"
                    wrong_so_far.append(name)
            if name in given:
                earlier[name] = given[name]
            results[name] = entry
        score = credit / len(names) if names else 0.0
        wrong = [name for name, entry in results.items() if entry["status"] in {"wrong", "empty"}]
        if wrong:
            feedback.append(f"Not accepted: {', '.join(wrong)}.")
        details = {"cells": results, "order": names}
        return self.result_for_score(item, variant, score, feedback, _markdown_table(item, key), details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return {name: repr(float(variant.values[name])) for name in cell_names(item)}

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        return {
            cell: str(form.get(CELL_PREFIX + cell, ""))[:MAX_TEXT_LENGTH] for cell in rendered_cells(rendered)
        }


def rendered_cells(rendered: dict[str, Any]) -> list[str]:
    """The cell names of a rendered table, row by row."""
    table = rendered.get("table") or {}
    return [cell for row in table.get("rows", []) for cell in row.get("cells", [])]


def _markdown_table(item: dict[str, Any], values: dict[str, float]) -> str:
    columns = columns_of(item)
    lines = ["| step | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for step in range(1, row_count(item) + 1):
        row = [format_number(values[f"{column}{step}"]) for column in columns]
        lines.append(f"| {step} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def _parse_cells(item: dict[str, Any], response: Any) -> tuple[dict[str, float], list[str]]:
    """Parsed non-empty cells, and problems naming each unreadable one."""
    if not isinstance(response, dict):
        return {}, ["Fill in the table."]
    parsed: dict[str, float] = {}
    problems: list[str] = []
    for name in cell_names(item):
        text = response.get(name)
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        try:
            parsed[name] = float(parse_number(text))
        except NumberFormatError as error:
            problems.append(f"Cell {name}: {error}")
    return parsed, problems


HANDLER = TableKind()
