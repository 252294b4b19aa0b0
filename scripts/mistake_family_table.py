"""Print the exercise × mistake family table (named / n/a) as Markdown.

Every variant of every family that applies to an exercise is diagnosed in-process, as the grader
diagnoses a submission; exit status 1 when a family that applies is not named.

Usage: python scripts/mistake_family_table.py [exercise-slug ...]
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from grading.diagnosis.table import Cell, family_table, render_table  # noqa: E402


def main(argv: list[str]) -> int:
    table = family_table(argv or None)
    print(render_table(table))
    failing = [
        (slug, name)
        for slug, row in table.items()
        for name, cell in row.items()
        if cell in {Cell.NOT_NAMED, Cell.NOT_TOLD_APART}
    ]
    for slug, name in failing:
        print(f"{slug}: {name} applies but is not named", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
