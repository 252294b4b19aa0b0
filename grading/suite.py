"""Gradient sources the sandboxed child may use: problems over one or several parameter arrays.

Imported by the sandbox zygote before it forks, so it must stay free of Django and of any
reference optimizer (a submission could otherwise call the reference instead of being one).
A problem here exposes `grad(params: list[ndarray], step: int) -> list[ndarray]`.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from optimlab import problems as optimlab_problems


@dataclass(frozen=True)
class ArrayProblem:
    """One optimlab problem over a single parameter array."""

    name: str

    def grad(self, params: list[np.ndarray], step: int) -> list[np.ndarray]:
        (x,) = params
        return [np.asarray(optimlab_problems.get_problem(self.name).grad(x, step=step), dtype=np.float64)]


@dataclass(frozen=True)
class LinearLayerProblem:
    """Least squares for y = x·W + b on fixed synthetic data: a matrix and a vector parameter."""

    seed: int = 0
    samples: int = 16

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        x = rng.normal(size=(self.samples, 3))
        y = x @ np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]) + np.array([0.3, -0.7])
        return x, y

    def grad(self, params: list[np.ndarray], step: int) -> list[np.ndarray]:
        weights, bias = params
        x, y = self.data()
        residual = x @ weights + bias - y
        return [2.0 * x.T @ residual / len(x), 2.0 * residual.mean(axis=0)]


def build_problem(name: str, args: dict[str, Any]):
    if name == "linear-layer":
        return LinearLayerProblem(**args)
    return ArrayProblem(name)
