"""Gradient sources the sandboxed child may use: problems over one or several parameter arrays.

Imported by the sandbox zygote before it forks, so it must stay free of Django and of any
reference optimizer (a submission could otherwise call the reference instead of being one).
A problem here exposes `grad(params: list[ndarray], step: int) -> list[ndarray]`, and
`loss(params: list[ndarray]) -> float` and `losses(stacked)` (the same for many points at once, each
array with a leading step axis), which only the trusted side uses (convergence scores).
"""

from dataclasses import dataclass, field
from functools import lru_cache
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

    def loss(self, params: list[np.ndarray]) -> float:
        (x,) = params
        return float(optimlab_problems.get_problem(self.name).value(x))

    def losses(self, stacked: list[np.ndarray]) -> np.ndarray:
        (x,) = stacked
        return optimlab_problems.get_problem(self.name).values(x)


@dataclass(frozen=True)
class LinearLayerProblem:
    """Least squares for y = x·W + b on fixed synthetic data: a matrix and a vector parameter."""

    seed: int = 0
    samples: int = 16

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return _layer_data(self.seed, self.samples)

    def grad(self, params: list[np.ndarray], step: int) -> list[np.ndarray]:
        weights, bias = params
        x, y = self.data()
        residual = x @ weights + bias - y
        return [2.0 * x.T @ residual / len(x), 2.0 * residual.mean(axis=0)]

    def loss(self, params: list[np.ndarray]) -> float:
        weights, bias = params
        x, y = self.data()
        residual = x @ weights + bias - y
        return float(np.sum(residual**2) / len(x))

    def losses(self, stacked: list[np.ndarray]) -> np.ndarray:
        weights, bias = stacked  # (n, 3, 2) and (n, 2)
        x, y = self.data()
        residual = np.einsum("si,nij->nsj", x, weights) + bias[:, None, :] - y
        return np.sum(residual**2, axis=(1, 2)) / len(x)


@dataclass(frozen=True)
class DiagonalQuadraticProblem:
    """J(x) = ½ Σ c_i x_i² over one array: a zero curvature gives a coordinate whose gradient is
    exactly zero forever, tiny curvatures give gradients of about 1e-6 (where ε placement shows)."""

    curvatures: tuple[float, ...] = field(default=(1.0, 1.0))

    def _c(self, x: np.ndarray) -> np.ndarray:
        c = np.asarray(self.curvatures, dtype=np.float64)
        if c.shape != x.shape:
            raise ValueError(f"diagonal-quadratic: {c.size} curvatures for a parameter of shape {x.shape}")
        return c

    def grad(self, params: list[np.ndarray], step: int) -> list[np.ndarray]:
        (x,) = params
        return [self._c(x) * x]

    def loss(self, params: list[np.ndarray]) -> float:
        (x,) = params
        return float(0.5 * np.sum(self._c(x) * x * x))

    def losses(self, stacked: list[np.ndarray]) -> np.ndarray:
        (x,) = stacked
        return 0.5 * np.sum(self._c(x[0]) * x * x, axis=-1)


@lru_cache(maxsize=8)
def _layer_data(seed: int, samples: int) -> tuple[np.ndarray, np.ndarray]:
    # Cached: every gradient and loss needs the same data. Read-only, so no caller can alter it.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 3))
    y = x @ np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]) + np.array([0.3, -0.7])
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def build_problem(name: str, args: dict[str, Any]) -> Any:
    if name == "linear-layer":
        return LinearLayerProblem(**args)
    if name == "diagonal-quadratic":
        return DiagonalQuadraticProblem(curvatures=tuple(float(c) for c in args["curvatures"]))
    if args:
        raise ValueError(f"problem {name!r} takes no arguments")
    return ArrayProblem(name)
