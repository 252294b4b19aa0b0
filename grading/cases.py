"""The case templates an exercise's suite picks from (Django-free, NumPy-free).

A *case template* is a problem with a start point and a step count, chosen to expose particular
mistakes; an exercise's `info.yaml` picks templates and sets hyperparameters per case (see
`grading.exercises.loader.SuiteEntry`), and `grading.plans.cases_for` turns them into graded cases.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseTemplate:
    title: str
    problem: str
    params: tuple[tuple[float, ...] | tuple[tuple[float, ...], ...], ...]
    steps: int
    purpose: str
    problem_args: dict[str, Any] = field(default_factory=dict)


CASES: dict[str, CaseTemplate] = {
    "d2l-quadratic": CaseTemplate(
        title="Ill-conditioned quadratic 0.1·x₁² + 2·x₂²",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=100,
        purpose="gradients that depend on the parameters, over many steps, with curvatures 20× apart",
    ),
    "rosenbrock": CaseTemplate(
        title="Rosenbrock valley",
        problem="rosenbrock",
        params=((-1.5, 2.0),),
        steps=150,
        purpose="a non-convex, badly scaled valley where convergence behaviour differs between methods",
    ),
    "tiny-gradients": CaseTemplate(
        title="Tiny gradients (|g| ≈ 1e-6)",
        problem="diagonal-quadratic",
        problem_args={"curvatures": [1e-6, 3e-6]},
        params=((1.0, -0.5),),
        steps=60,
        purpose="gradients near √ε, where the placement of ε changes the step size",
    ),
    "zero-gradient-coordinate": CaseTemplate(
        title="A coordinate whose gradient is always zero",
        problem="diagonal-quadratic",
        problem_args={"curvatures": [1.0, 0.0, 4.0]},
        params=((2.0, 1.0, -1.0),),
        steps=60,
        purpose="0/0 in the adaptive denominators and state that must stay exactly zero",
    ),
    "linear-layer": CaseTemplate(
        title="Linear layer: a 3×2 weight matrix and a bias vector",
        problem="linear-layer",
        params=(((0.5, -0.5), (0.0, 1.0), (1.0, 0.0)), (0.1, -0.2)),
        steps=80,
        purpose="two parameter arrays of different shapes, each with its own state",
    ),
    "minibatch-regression": CaseTemplate(
        title="Linear regression on seeded minibatches",
        problem="linear-regression",
        params=((-2.0, 3.0),),
        steps=120,
        purpose="noisy minibatch gradients (fixed seed), as in real training",
    ),
    "varying-lr": CaseTemplate(
        title="Ill-conditioned quadratic with a learning rate that changes between steps",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=90,
        purpose="separates momentum conventions that agree at a constant learning rate",
    ),
    "d2l-quadratic-clipped": CaseTemplate(
        title="Ill-conditioned quadratic with a tight gradient-norm cap",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=100,
        purpose="clipping acts on the first steps, then lets go as the gradients shrink",
    ),
}


# Hyperparameters that count updates: the loader reads every hyperparameter as a float, but a
# student compares them with an int step counter, so they are sent to `step` as ints.
COUNT_HYPERPARAMETERS = frozenset({"warmup_steps", "total_steps", "accumulation_steps"})


def with_count_types(hp: Mapping[str, float]) -> dict[str, float]:
    return {name: int(value) if name in COUNT_HYPERPARAMETERS else value for name, value in hp.items()}
