"""What the grader measured a case against, for comparisons made outside grading (achievements).

Reached through `grading.api`, which loads this module only when it is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grading.cases import CASES
from grading.exercises import get_exercise
from grading.scoring import CONVERGENCE_TOLERANCE
from optimlab.problems import get_problem
from optimlab.runner import run_optimizer


def convergence_target(record: dict[str, Any], case_id: str) -> float | None:
    """The loss the grader counted as "converged" on this case (see grading.scoring)."""
    final = record.get("reference_final_loss")
    if final is None:
        return None
    case = CASES[case_id]
    initial = get_problem(case.problem).value(np.asarray(case.params[0], dtype=np.float64))
    return float(final + CONVERGENCE_TOLERANCE * max(float(initial) - final, 0.0))


def sgd_steps_to(target: float, case_id: str) -> int | None:
    """Steps plain SGD needs to get below `target` on the case, at the learning rate the SGD exercise
    uses there; None if it never does within 20x the case's step budget."""
    case = CASES[case_id]
    lr = next(entry.hp["lr"] for entry in get_exercise("sgd").suite if entry.case == case_id)
    start = np.asarray(case.params[0], dtype=np.float64)
    run = run_optimizer("sgd", case.problem, hp={"lr": lr}, steps=20 * case.steps, start=start)
    below = [step for step, loss in enumerate(run.loss) if loss <= target]
    return below[0] if below else None
