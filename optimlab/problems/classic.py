"""Classic 2-D test functions from the optimisation literature, with hand-derived gradients."""

from __future__ import annotations

import math

import numpy as np

from optimlab.problems.base import Problem, vectorised_problem


def rosenbrock() -> Problem:
    def values(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        x, y = p
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])

    return vectorised_problem(
        values,
        grad,
        name="rosenbrock",
        title="Rosenbrock banana",
        start=[-1.5, 2.0],
        window=(-2.0, 2.0, -1.0, 3.0),
        description=(
            "$J(x,y)=(1-x)^2+100(y-x^2)^2$: a long curved valley whose floor is nearly flat. Finding the "
            "valley is easy, following it to the minimum $0$ at $(1,1)$ is slow."
        ),
        minimizers=[(1.0, 1.0)],
        min_value=0.0,
        log_contours=True,
    )


# Beale's three terms are (c_i − x + x·y^i) for i = 1, 2, 3.
BEALE_CONSTANTS = (1.5, 2.25, 2.625)


def beale() -> Problem:
    def values(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return sum((c - x + x * y**i) ** 2 for i, c in enumerate(BEALE_CONSTANTS, start=1))

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        x, y = p
        gx = gy = 0.0
        for i, c in enumerate(BEALE_CONSTANTS, start=1):
            residual = c - x + x * y**i
            gx += 2 * residual * (y**i - 1)
            gy += 2 * residual * i * x * y ** (i - 1)
        return np.array([gx, gy])

    return vectorised_problem(
        values,
        grad,
        name="beale",
        title="Beale",
        start=[1.0, 1.5],
        window=(-4.5, 4.5, -4.5, 4.5),
        description=(
            "Beale's function: flat plateaus next to very steep walls at large $|y|$, minimum $0$ at $(3, 0.5)$. "
            "Fixed step sizes struggle; adaptive methods cope better."
        ),
        minimizers=[(3.0, 0.5)],
        min_value=0.0,
        log_contours=True,
    )


def booth() -> Problem:
    def values(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        x, y = p
        a, b = x + 2 * y - 7, 2 * x + y - 5
        return np.array([2 * a + 4 * b, 4 * a + 2 * b])

    return vectorised_problem(
        values,
        grad,
        name="booth",
        title="Booth",
        start=[-8.0, -6.0],
        window=(-10.0, 10.0, -10.0, 10.0),
        description="$J(x,y)=(x+2y-7)^2+(2x+y-5)^2$: a tilted quadratic bowl, minimum $0$ at $(1,3)$.",
        minimizers=[(1.0, 3.0)],
        min_value=0.0,
        log_contours=True,
    )


# The four minimisers of Himmelblau's function (one exact, three known only numerically).
HIMMELBLAU_MINIMIZERS = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286170),
    (3.584428340330492, -1.848126526964404),
)


def himmelblau() -> Problem:
    def values(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        x, y = p
        a, b = x**2 + y - 11, x + y**2 - 7
        return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])

    return vectorised_problem(
        values,
        grad,
        name="himmelblau",
        title="Himmelblau",
        start=[0.0, 0.0],
        window=(-5.0, 5.0, -5.0, 5.0),
        description=(
            "Himmelblau's function has four minimisers, all with value $0$: $(3,2)$, about $(-2.805, 3.131)$, "
            "$(-3.779, -3.283)$ and $(3.584, -1.848)$. Which one you reach depends on the start and the optimizer."
        ),
        minimizers=HIMMELBLAU_MINIMIZERS,
        min_value=0.0,
        log_contours=True,
    )


RASTRIGIN_A = 10.0


def rastrigin() -> Problem:
    def values(p: np.ndarray) -> np.ndarray:
        return RASTRIGIN_A * p.shape[-1] + np.sum(p**2 - RASTRIGIN_A * np.cos(2 * math.pi * p), axis=-1)

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        return 2 * p + 2 * math.pi * RASTRIGIN_A * np.sin(2 * math.pi * p)

    return vectorised_problem(
        values,
        grad,
        name="rastrigin",
        title="Rastrigin",
        start=[3.3, -2.6],
        window=(-5.12, 5.12, -5.12, 5.12),
        description=(
            "$J(x)=20+\\sum_i (x_i^2-10\\cos 2\\pi x_i)$: a bowl covered in a regular grid of local minima. "
            "The global minimum is $0$ at the origin; plain gradient descent stops in the nearest dimple."
        ),
        minimizers=[(0.0, 0.0)],
        min_value=0.0,
        contour_levels=8,
    )
