"""Test problems for the optimizer lab: a registry of `Problem`s by name.

    from optimlab.problems import get_problem, PROBLEMS, make_quadratic
    p = get_problem("ill-conditioned-quadratic")
    p.value(x), p.grad(x, step=0), p.start, p.minimizers, p.window

Django-free and matplotlib-free.
"""

from __future__ import annotations

from optimlab.problems.base import Problem
from optimlab.problems.classic import beale, booth, himmelblau, rastrigin, rosenbrock
from optimlab.problems.quadratics import (
    ill_conditioned_quadratic,
    make_quadratic,
    parabola,
    quadratic_problem,
    saddle,
    tiny_gradients,
)
from optimlab.problems.stochastic import (
    make_linear_regression,
    make_logistic_regression,
    make_noisy_quadratic,
)

__all__ = [
    "PROBLEMS",
    "Problem",
    "get_problem",
    "make_linear_regression",
    "make_logistic_regression",
    "make_noisy_quadratic",
    "make_quadratic",
    "quadratic_problem",
]


def build_registry() -> dict[str, Problem]:
    problems = [
        parabola(),
        ill_conditioned_quadratic(),
        make_quadratic(),
        rosenbrock(),
        beale(),
        booth(),
        himmelblau(),
        rastrigin(),
        saddle(),
        make_noisy_quadratic(),
        make_linear_regression(),
        make_logistic_regression(),
        tiny_gradients(),
    ]
    return {problem.name: problem for problem in problems}


PROBLEMS: dict[str, Problem] = build_registry()


def get_problem(name: str) -> Problem:
    try:
        return PROBLEMS[name]
    except KeyError:
        raise ValueError(f"unknown problem {name!r}; known problems: {', '.join(PROBLEMS)}") from None
