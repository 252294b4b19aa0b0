"""What must hold before an instructor's exercise is published (plain Python; the sandbox does the running).

    report = validate_exercise(exercise, sandbox=sandbox)   # exercise: registered (grading.exercises.register)
    report.ok, report.problems, report.families

1. The answer key runs: the optimizer `reference_optimizer` names stays finite on every case.
2. The reference solution, run in the sandbox as a student's would be, scores 1.
3. The starter, run the same way, does not pass.
4. The suite tells every applicable mistake family apart (`grading.diagnosis`): each family's
   buggy variants are diagnosed as a submission's would be and must be named as that family.
   For a family that is not (its variants give the rule's own steps: "not told apart", or
   another family's: "not named"), the report lists the families it collides with, i.e. those
   with a variant that takes the same steps on every case. A different case (another problem,
   start point, more steps, other hyperparameters) usually separates them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from grading.diagnosis import _matches  # the comparison diagnosis itself names mistakes with
from grading.diagnosis.families import ALL_FAMILIES, Family, load_reference
from grading.diagnosis.table import Cell, family_row
from grading.exercises import Exercise
from grading.grader import grade_source, reference_runs
from grading.plans import cases_for, simulate
from grading.sandbox.client import Sandbox


@dataclass
class FamilyCheck:
    name: str
    title: str
    status: str  # a grading.diagnosis.table.Cell value
    collides_with: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in (Cell.NAMED, Cell.NOT_APPLICABLE)


@dataclass
class RunCheck:
    status: str  # the verdict's status: passed, failed, error
    score: float | None
    message: str


@dataclass
class ValidationReport:
    ok: bool
    problems: list[str]  # what stops publication, in words the author can act on
    reference: RunCheck | None = None
    starter: RunCheck | None = None
    families: list[FamilyCheck] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_exercise(exercise: Exercise, *, sandbox: Sandbox) -> ValidationReport:
    """Validate a registered exercise (its slug is the registry key), running both files in `sandbox`."""
    problems: list[str] = []
    key = exercise.slug
    try:
        runs = reference_runs(key)
    except (RuntimeError, ValueError, FloatingPointError) as exc:
        return ValidationReport(
            False, [f"The answer key ({exercise.reference_optimizer}) fails on the suite: {exc}"]
        )
    for case, run in zip(cases_for(key), runs, strict=True):
        if not np.isfinite(run.losses).all() or not np.isfinite(run.rows).all():
            problems.append(
                f"The answer key ({exercise.reference_optimizer}) blows up on case “{case.id}”: lower its "
                "learning rate, move its start point or shorten it, so that the reference stays finite."
            )
    if problems:
        return ValidationReport(False, problems)

    reference = _run(key, exercise.reference_source, sandbox)
    if reference.status != "passed" or reference.score != 1.0:
        problems.append(
            f"The reference solution must score 1 in the sandbox; it got {reference.score}: {reference.message}"
        )
    starter = _run(key, exercise.starter_source, sandbox)
    if starter.status == "passed":
        problems.append(
            "The starter passes: it must be code that runs but is wrong (the student's job is to fix it)."
        )
    families: list[FamilyCheck] = []
    if reference.status == "passed":
        families = family_checks(key)
        for check in families:
            if check.status == Cell.NOT_TOLD_APART:
                problems.append(
                    f"The suite cannot tell “{check.title}” ({check.name}) from the correct rule"
                    + (
                        f"; its steps are those of {', '.join(check.collides_with)}"
                        if check.collides_with
                        else ""
                    )
                    + ". Add or change a case so that this mistake shows."
                )
            elif check.status == Cell.NOT_NAMED:
                problems.append(
                    f"The suite does not tell “{check.title}” ({check.name}) apart"
                    + (f" from {', '.join(check.collides_with)}" if check.collides_with else "")
                    + ": the two give the same steps on every case. Add or change a case so that they differ."
                )
    return ValidationReport(not problems, problems, reference, starter, families)


def _run(key: str, source: str, sandbox: Sandbox) -> RunCheck:
    verdict = grade_source(key, source, sandbox=sandbox)
    return RunCheck(status=str(verdict.status), score=verdict.score, message=verdict.message)


def family_checks(key: str) -> list[FamilyCheck]:
    """Each mistake family on this exercise: named, not applicable, not told apart or not named; for
    a family that is not told apart or not named, the families whose steps it shares on every case
    (the collisions). Families that are named need no further runs."""
    row = family_row(key)
    reference = load_reference(key)
    cases = cases_for(key)
    rows_of: dict[str, list[tuple[np.ndarray, ...]]] = {}

    def rows(family: Family) -> list[tuple[np.ndarray, ...]]:
        if family.name not in rows_of:
            rows_of[family.name] = [
                tuple(simulate(case, variant.init, variant.step).rows for case in cases)
                for variant in family.variants(reference)
            ]
        return rows_of[family.name]

    checks = []
    for family in ALL_FAMILIES:
        collides = []
        if row[family.name] in (Cell.NOT_TOLD_APART, Cell.NOT_NAMED):
            collides = [
                other.name
                for other in ALL_FAMILIES
                if other is not family
                and any(_matches(mine, theirs) for mine in rows(family) for theirs in rows(other))
            ]
        checks.append(FamilyCheck(family.name, family.title, str(row[family.name]), collides))
    return checks
