"""Diagnosis: recognise a failing submission as one of the catalogued mistakes.

    from grading.diagnosis import MISTAKES, mistakes_for, diagnose
    diagnose("adam", case_runs)   # -> [Mistake] (empty unless every problem matches one mistake)

The catalogued mistakes are our own code, run on the trusted side with the same lock-step
runner as the reference; their trajectories are cached per exercise. A mistake is named only when
the submission matches it on *every* problem of the suite; partial matches are not claimed.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from grading.diagnosis.catalogue import CATALOGUE, MISTAKES, Mistake
from grading.plans import cases_for, contract_step, simulate
from grading.scoring import trajectories_match

__all__ = ["CATALOGUE", "MISTAKES", "Mistake", "diagnose", "mistake_trajectories", "mistakes_for"]


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


def diagnose(exercise_slug: str, rows_per_case: Sequence[np.ndarray]) -> list[Mistake]:
    """The catalogued mistakes whose trajectories equal the submission's on every case."""
    if len(rows_per_case) != len(cases_for(exercise_slug)):
        return []
    return [
        MISTAKES[name]
        for name, mistake_rows in mistake_trajectories(exercise_slug).items()
        if all(trajectories_match(s, m) for s, m in zip(rows_per_case, mistake_rows, strict=True))
    ]
