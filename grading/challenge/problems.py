"""The challenge suite: five problems, each with a start point, a target loss and a step budget.

A problem is a `grading.plans.Case` (so the sandbox harness and the trusted `simulate` run it
exactly as they run an exercise's case) with no hyperparameters: the submission chooses its own.
The problems' gradients come from `grading.suite`, which the sandbox's child can import.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from grading.challenge import CHALLENGE_SLUG, CHALLENGE_TITLE
from grading.plans import Case

__all__ = ["CHALLENGE_SLUG", "CHALLENGE_TITLE", "ChallengeProblem", "challenge_plan", "challenge_problems"]


# "Ill-conditioned": ten curvatures spread evenly in log scale from 0.01 to 100 (condition number 10⁴).
ILL_CONDITIONED_CURVATURES = tuple(float(c) for c in np.logspace(-2, 2, 10))
# Magnitudes and signs that differ per coordinate, so that no sign-based step lands on 0 by chance.
ILL_CONDITIONED_START = (1.0, -1.5, 2.0, -0.5, 1.2, -2.0, 0.8, -1.1, 1.7, -0.9)


@dataclass(frozen=True)
class ChallengeProblem:
    case: Case
    target: float  # the loss to reach (at or below)
    kind: str  # what the problem stands for: noisy, ill-conditioned, non-convex, network
    # Consecutive steps the loss must stay at or below the target for it to count as reached
    # (grading.challenge.scoring): 1 where the gradients are exact, HOLD_STEPS where they are noisy.
    hold: int = 1

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def budget(self) -> int:
        return self.case.steps


def _net_start(seed: int, hidden: int) -> tuple[np.ndarray, ...]:
    """Seeded Glorot-style initial weights of the two-moons network (W1, b1, W2, b2)."""
    rng = np.random.default_rng([seed, 1])
    w1 = rng.normal(scale=np.sqrt(2.0 / (2 + hidden)), size=(2, hidden))
    w2 = rng.normal(scale=np.sqrt(2.0 / (hidden + 1)), size=hidden)
    return (w1, np.zeros(hidden), w2, np.zeros(1))


def _case(
    id: str, title: str, purpose: str, problem: str, start: tuple[Any, ...], steps: int, **args: Any
) -> Case:
    return Case(
        id=id,
        title=title,
        purpose=purpose,
        problem=problem,
        problem_args=dict(args),
        start=tuple(np.array(p, dtype=np.float64) for p in start),
        steps=steps,
        hp={},
    )


NET_HIDDEN = 32
# Where gradients are noisy (the noisy quadratic, the network's minibatches), a target counts only
# when the loss stays under it this long: a lucky jump next to the minimum is gone a step later.
HOLD_STEPS = 20


@cache
def challenge_problems() -> tuple[ChallengeProblem, ...]:
    return (
        ChallengeProblem(
            _case(
                "noisy-quadratic",
                "Noisy quadratic",
                "½(x₁² + 4x₂²) with Gaussian noise (σ = 1) on every gradient, seeded per step",
                "noisy-quadratic",
                ((-4.0, 3.0),),
                300,
            ),
            target=0.01,
            kind="noisy",
            hold=HOLD_STEPS,
        ),
        ChallengeProblem(
            _case(
                "ill-conditioned",
                "Ill-conditioned quadratic (κ = 10⁴)",
                "½ Σ cᵢ xᵢ² in ten dimensions, curvatures from 0.01 to 100",
                "diagonal-quadratic",
                (ILL_CONDITIONED_START,),
                300,
                curvatures=list(ILL_CONDITIONED_CURVATURES),
            ),
            target=0.01,
            kind="ill-conditioned",
        ),
        ChallengeProblem(
            _case(
                "rosenbrock",
                "Rosenbrock valley",
                "(1 − x)² + 100(y − x²)²: a curved, badly scaled valley",
                "rosenbrock",
                ((-1.5, 2.0),),
                1000,
            ),
            target=0.01,
            kind="non-convex",
        ),
        ChallengeProblem(
            _case(
                "himmelblau",
                "Himmelblau",
                "four minima of value 0 and a maximum between them",
                "himmelblau",
                ((-0.5, -0.5),),
                300,
            ),
            target=1e-3,
            kind="non-convex",
        ),
        ChallengeProblem(
            _case(
                "two-moons-net",
                f"Two-layer network on two moons ({2 * NET_HIDDEN + 2 * NET_HIDDEN + 1} weights)",
                "a 2-32-1 tanh classifier, minibatches of 32 out of 256 seeded points, full-data log-loss",
                "two-moons-net",
                _net_start(0, NET_HIDDEN),
                400,
            ),
            target=0.1,
            kind="network",
            hold=HOLD_STEPS,
        ),
    )


def challenge_plan(source: str) -> dict[str, Any]:
    """The sandbox plan of one challenge submission: every problem, no hyperparameters."""
    return {"source": source, "cases": [problem.case.to_plan() for problem in challenge_problems()]}
