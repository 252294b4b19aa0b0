"""The gradebook as a CSV file that opens cleanly in a spreadsheet.

- UTF-8 with a byte order mark, so Excel does not read accented names as mojibake;
- RFC 4180 quoting (commas, quotes and line breaks inside a cell survive) and CRLF line ends;
- one header row; scores are plain numbers (percentages with one decimal), never "85%" text;
- dates in ISO 8601, times in UTC ("2026-03-01 14:05:00", which spreadsheets read as a date);
- formula injection guard: a text cell starting with = + - @ (or a tab / carriage return, which
  some spreadsheets skip before looking for a formula) gets a leading apostrophe, so a username
  like "=HYPERLINK(...)" is shown as text instead of being evaluated.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from courses.services.gradebook import Gradebook, GradeCell

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_HEADERS = ("best %", "latest %", "attempts", "completed (UTC)", "late")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _percent(score: float | None) -> float | str:
    return "" if score is None else round(score * 100, 1)


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _cell_values(cell: GradeCell) -> list[object]:
    late = "" if cell.completed_at is None else ("yes" if cell.late else "no")
    return [_percent(cell.best), _percent(cell.latest), cell.attempts, _moment(cell.completed_at), late]


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
    writer.writerow([_clean(value) for value in header])
    for row in gradebook.rows:
        values: list[object] = [row.username, row.joined_at.astimezone(UTC).strftime("%Y-%m-%d")]
        for cell in row.cells:
            values += _cell_values(cell)
        writer.writerow([_clean(value) for value in values])
    return (BOM + buffer.getvalue()).encode("utf-8")
