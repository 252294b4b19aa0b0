"""Exercise × mistake family: is each family that applies named when a submission makes it?

    from grading.diagnosis.table import family_table, render_table
    print(render_table(family_table()))      # what `python scripts/mistake_family_table.py` prints

For every variant a family predicts on an exercise, the variant's own rows are diagnosed as a
submission's would be. The family counts as named when every such variant is named by the family
itself or by a catalogued mistake that is a particular case of it (catalogued mistakes are named
first). Trusted side only.
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum

from grading.diagnosis import diagnose, family_trajectories
from grading.diagnosis.families import ALL_FAMILIES, Family, load_reference
from grading.exercises import EXERCISES


class Cell(StrEnum):
    NAMED = "named"
    NOT_NAMED = "NOT NAMED"
    NOT_APPLICABLE = "not applicable"
    NOT_TOLD_APART = "NOT TOLD APART"  # the family applies but the suite cannot see it


def names_for(family: Family) -> frozenset[str]:
    return frozenset({family.name}) | family.specialisations


def family_row(exercise_slug: str) -> dict[str, Cell]:
    reference = load_reference(exercise_slug)
    kept = family_trajectories(exercise_slug)
    row = {}
    for family in ALL_FAMILIES:
        if not family.variants(reference):
            row[family.name] = Cell.NOT_APPLICABLE
            continue
        variants = [rows for fam, _, rows in kept if fam is family]
        if not variants:
            row[family.name] = Cell.NOT_TOLD_APART
            continue
        named = all(
            {m.name for m in diagnose(exercise_slug, list(rows))} & names_for(family) for rows in variants
        )
        row[family.name] = Cell.NAMED if named else Cell.NOT_NAMED
    return row


def family_table(slugs: Iterable[str] | None = None) -> dict[str, dict[str, Cell]]:
    return {slug: family_row(slug) for slug in (EXERCISES if slugs is None else slugs)}


def render_table(table: Mapping[str, Mapping[str, Cell]]) -> str:
    """A Markdown table, one row per exercise and one column per family."""
    families = [family.name for family in ALL_FAMILIES]
    lines = [
        "| exercise | " + " | ".join(families) + " |",
        "| --- | " + " | ".join("---" for _ in families) + " |",
    ]
    for slug, row in table.items():
        cells = [
            "named" if row[f] == Cell.NAMED else ("n/a" if row[f] == Cell.NOT_APPLICABLE else str(row[f]))
            for f in families
        ]
        lines.append(f"| {slug} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
