"""The challenge score: steps to a target loss, per problem, against the best tuned baseline.

- On each problem, a run's **steps to target** is the first step whose (full, exact) loss is at
  or below the problem's target. Where the gradients are noisy the iterate is random, and a loss
  that dips under the target for a step may be luck (a wild jump that lands near the minimum by
  chance): there the loss must stay at or below the target for `hold` consecutive steps, and the
  first of them counts. A run that never gets there within the budget, blows up (NaN,
  inf or a parameter beyond 1e6, as in grading.scoring) before getting there, or stops on an
  error first, has **not reached** it and is charged PENALTY_FACTOR × the budget.
- Its **ratio** on the problem is those steps divided by the fewest steps any tuned baseline
  needs there (1 = as fast as the best baseline; 0.5 = twice as fast; a miss costs at least
  2 × budget / best, which is large).
- The challenge **ratio** is the geometric mean of the per-problem ratios (a problem where you
  are twice as fast counts as much as one where you are twice as slow), and the **score** is its
  inverse: higher is better, 1.0 ties the best baseline of every problem, and it can exceed 1.
Everything here takes loss curves; where they come from (the sandbox, a baseline) is the caller's.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PENALTY_FACTOR = 2


@dataclass(frozen=True)
class ProblemScore:
    problem_id: str
    steps: int | None  # steps to target, None when not reached
    charged: int  # the steps that count: `steps`, or the penalty
    ratio: float

    @property
    def reached(self) -> bool:
        return self.steps is not None


def problem_score(
    problem_id: str, losses: np.ndarray, *, target: float, budget: int, best_baseline: int, hold: int = 1
) -> ProblemScore:
    """Score one loss curve (index = step; NaN where the run had blown up)."""
    steps = steps_to_held_target(_until_first_blowup(losses), target, hold)
    charged = steps if steps is not None else PENALTY_FACTOR * budget
    return ProblemScore(problem_id, steps, charged, max(charged, 1) / max(best_baseline, 1))


def steps_to_held_target(losses: np.ndarray, target: float, hold: int = 1) -> int | None:
    """The first step from which the loss stays at or below `target` for `hold` consecutive steps
    (all within the curve); None when there is no such stretch. `hold=1` is the first hit."""
    if hold < 1:
        raise ValueError("hold must be at least 1")
    with np.errstate(invalid="ignore"):
        below = np.asarray(losses <= target, dtype=np.int64)  # NaN compares False
    if below.size < hold:
        return None
    # The number of hits in each window of `hold` steps; a full window is a held stretch.
    sums = np.convolve(below, np.ones(hold, dtype=np.int64), mode="valid")
    held = np.flatnonzero(sums == hold)
    return int(held[0]) if held.size else None


def _until_first_blowup(losses: np.ndarray) -> np.ndarray:
    """The curve up to (not including) its first non-finite value: a run that blew up and came
    back to finite numbers by accident is not given the later steps."""
    bad = np.flatnonzero(~np.isfinite(losses))
    return losses[: bad[0]] if bad.size else losses


def combined_ratio(scores: Sequence[ProblemScore]) -> float:
    """The geometric mean of the per-problem ratios."""
    if not scores:
        raise ValueError("no problems to combine")
    return math.exp(sum(math.log(s.ratio) for s in scores) / len(scores))


def score_of(ratio: float) -> float:
    """The challenge score of a combined ratio: its inverse, rounded for storage."""
    return round(1.0 / ratio, 6)


def curve_for_storage(losses: np.ndarray, digits: int = 6) -> list[Any]:
    """A loss curve as JSON: floats to `digits` significant digits, None where not finite."""
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in losses.tolist()]


def curve_from_storage(values: object) -> np.ndarray:
    """The inverse of `curve_for_storage` (None -> NaN); an empty array for anything malformed."""
    if not isinstance(values, list):
        return np.empty(0)
    try:
        return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError):
        return np.empty(0)
