"""Diagnosis: recognise a failing submission as a catalogued mistake or a mistake family.

    from grading.diagnosis import MISTAKES, mistakes_for, diagnose
    diagnose("adam", case_rows)            # -> [Mistake] or [FamilyMatch] (empty if nothing matches)
    diagnose("adam", case_rows, source)    # the same, with the likely line of a family's mistake

The catalogued mistakes (`catalogue.py`) are written for particular exercises; the families
(`families.py`) are transformations of any exercise's reference, so they name the same kind of
mistake in every exercise they apply to. Both are our own code, run on the trusted side with the
same lock-step runner as the reference; their trajectories are cached per exercise and compared
with the rows the submission already recorded (nothing runs again in the sandbox). A mistake is
named only when the submission matches it on *every* problem of the suite; partial matches are
not claimed. Catalogued mistakes come first: families are consulted only when none matches, and
"follows a different method" only when no other family does.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from grading.diagnosis.catalogue import CATALOGUE, MISTAKES, Mistake
from grading.diagnosis.families import (
    ALL_FAMILIES,
    DIFFERENT_METHOD,
    Family,
    FamilyMatch,
    LocatedMistake,
    Variant,
    load_reference,
    locate,
)
from grading.plans import cases_for, contract_step, simulate
from grading.scoring import trajectories_match

__all__ = [
    "CATALOGUE",
    "MISTAKES",
    "FamilyMatch",
    "Mistake",
    "applicable_families",
    "diagnose",
    "family_trajectories",
    "mistake_trajectories",
    "mistakes_for",
]


def mistakes_for(exercise_slug: str) -> tuple[Mistake, ...]:
    return tuple(m for m in CATALOGUE if exercise_slug in m.exercises)


@cache
def mistake_trajectories(exercise_slug: str) -> dict[str, tuple[np.ndarray, ...]]:
    """Rows of every applicable mistake on every case of the exercise (trusted, cached)."""
    trajectories = {}
    for mistake in mistakes_for(exercise_slug):
        namespace: dict[str, Any] = {"__name__": f"mistake_{mistake.name}"}
        exec(compile(mistake.source_for(exercise_slug), f"<mistake {mistake.name}>", "exec"), namespace)
        step = contract_step(namespace["step"])
        runs = [simulate(case, namespace["init_state"], step) for case in cases_for(exercise_slug)]
        trajectories[mistake.name] = tuple(run.rows for run in runs)
    return trajectories


def _blow_up(rows: np.ndarray) -> int:
    """The first row holding a non-finite number (len(rows) when there is none)."""
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    return int(bad[0]) if bad.size else len(rows)


def _same_run(student: np.ndarray, expected: np.ndarray) -> bool:
    """Equal within tolerance up to the step where both blow up, if they do, at the same step.

    Past an overflow the numbers are an accident of how the arithmetic was written (`p + lr*g`
    and `2p - (p - lr*g)` overflow differently), so a mistake that blows up is recognised by
    taking the same finite steps and blowing up at the same step."""
    if student.shape != expected.shape:
        return False
    end = _blow_up(expected)
    return _blow_up(student) == end and trajectories_match(student[:end], expected[:end])


def _matches(rows_per_case: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> bool:
    return all(_same_run(s, m) for s, m in zip(rows_per_case, expected, strict=True))


@cache
def family_trajectories(exercise_slug: str) -> tuple[tuple[Family, Variant, tuple[np.ndarray, ...]], ...]:
    """Rows of every variant of every family that applies to the exercise (trusted, cached).

    A variant the suite cannot tell from the reference (the same rows on every case) is left out:
    it is not a mistake on this exercise; so is one that an earlier family already predicts (on
    a schedule whose only state is its counter, a counter never incremented *is* state not
    carried over)."""
    reference = load_reference(exercise_slug)
    cases = cases_for(exercise_slug)
    reference_rows = [simulate(case, reference.init, reference.step).rows for case in cases]
    found: list[tuple[Family, Variant, tuple[np.ndarray, ...]]] = []
    for family in ALL_FAMILIES:
        for variant in family.variants(reference):
            rows = tuple(simulate(case, variant.init, variant.step).rows for case in cases)
            if not _matches(rows, reference_rows) and not any(
                _matches(rows, kept) for earlier, _, kept in found if earlier is not family
            ):
                found.append((family, variant, rows))
    return tuple(found)


def _located(mistake: Mistake, source: str | None) -> Mistake | LocatedMistake:
    """The catalogued mistake, with the line its family finds in the source when there is one."""
    family = next((f for f in ALL_FAMILIES if mistake.name in f.specialisations), None)
    line = locate(family, source) if family is not None else None
    return mistake if line is None else LocatedMistake(mistake, line)


def applicable_families(exercise_slug: str) -> tuple[Family, ...]:
    """The families with at least one variant the exercise's suite tells apart from the reference."""
    names = {family.name for family, _, _ in family_trajectories(exercise_slug)}
    return tuple(family for family in ALL_FAMILIES if family.name in names)


def diagnose(
    exercise_slug: str, rows_per_case: Sequence[np.ndarray], source: str | None = None
) -> list[Mistake | LocatedMistake] | list[FamilyMatch]:
    """The catalogued mistakes whose trajectories equal the submission's on every case; if none,
    the mistake families that do (with the likely line in `source`, when it can be told)."""
    if len(rows_per_case) != len(cases_for(exercise_slug)):
        return []
    catalogued = [
        MISTAKES[name]
        for name, mistake_rows in mistake_trajectories(exercise_slug).items()
        if _matches(rows_per_case, mistake_rows)
    ]
    if catalogued:
        return [_located(mistake, source) for mistake in catalogued]
    matched: dict[str, FamilyMatch] = {}
    for family, variant, rows in family_trajectories(exercise_slug):
        if family.name not in matched and _matches(rows_per_case, rows):
            matched[family.name] = FamilyMatch(family, variant)
    if len(matched) > 1:
        matched.pop(DIFFERENT_METHOD.name, None)  # a named mistake says more than "another method"
    return [FamilyMatch(m.family, m.variant, locate(m.family, source)) for m in matched.values()]
