"""The gradebook as a CSV file that opens cleanly in a spreadsheet.

- UTF-8 with a byte order mark, so Excel does not read accented names as mojibake;
- RFC 4180 quoting (commas, quotes and line breaks inside a cell survive) and CRLF line ends;
- one header row; scores are plain numbers (percentages with one decimal), never "85%" text;
- dates in ISO 8601, times in UTC ("2026-03-01 14:05:00", which spreadsheets read as a date);
- the columns of the gradebook page: per assignment the raw score (what would count without a
  late penalty), the final score (after the late penalty, or the grade set by hand), what adjusted
  it ("late penalty", "override"), attempts, when first completed, late, and the student's due date
  (an extension's when they have one); then the weighted total;
- formula injection guard: a text cell starting with = + - @ (or a tab / carriage return, which
  some spreadsheets skip before looking for a formula) gets a leading apostrophe, so a username
  like "=HYPERLINK(...)" is shown as text instead of being evaluated.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from functools import lru_cache

from courses.services.gradebook import Gradebook, GradeCell

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_HEADERS = ("raw %", "final %", "adjusted", "attempts", "completed (UTC)", "late", "due (UTC)")
TOTAL_HEADER = "weighted total %"


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _percent(score: float | None) -> float | str:
    return "" if score is None else round(score * 100, 1)


@lru_cache(maxsize=4096)  # most cells share their due date
def _moment(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def cell_adjustment(cell: GradeCell) -> str:
    """What made the final score differ from the raw one: "override", "late penalty" or nothing."""
    if cell.overridden:
        return "override"
    return "late penalty" if cell.penalised else ""


def _cell_values(cell: GradeCell) -> list[object]:
    late = "" if cell.completed_at is None else ("yes" if cell.late else "no")
    due = cell.outcome.due_at if cell.outcome else None
    return [
        _percent(cell.raw),
        _percent(cell.final),
        cell_adjustment(cell),
        cell.attempts,
        _moment(cell.completed_at),
        late,
        _moment(due),
    ]


def _clean(value: object) -> object:
    # Only text is guarded: a number is written by the csv module as digits and cannot be a formula.
    return safe_text(value) if isinstance(value, str) else value


def gradebook_csv(gradebook: Gradebook) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header: list[object] = ["student", "joined (UTC)"]
    for assignment in gradebook.assignments:
        # The due date tells apart two assignments of the same quiz (say, a practice run and the real one).
        label = f"{assignment.target_label} (due {assignment.due_at.astimezone(UTC):%Y-%m-%d})"
        header += [f"{label}: {part}" for part in CELL_HEADERS]
    header.append(TOTAL_HEADER)
    writer.writerow([_clean(value) for value in header])
    for row in gradebook.rows:
        values: list[object] = [row.username, row.joined_at.astimezone(UTC).strftime("%Y-%m-%d")]
        for cell in row.cells:
            values += _cell_values(cell)
        values.append(_percent(row.total))
        writer.writerow([_clean(value) for value in values])
    return (BOM + buffer.getvalue()).encode("utf-8")
