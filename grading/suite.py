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
from optimlab.problems import stochastic as optimlab_stochastic


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


@dataclass(frozen=True)
class TwoLayerNetProblem:
    """A small classifier: mean log-loss of a 2-input, `hidden`-unit tanh network with one logit
    output, on a seeded two-moons data set. Four parameter arrays: W1 (2, h), b1 (h,), W2 (h,),
    b2 (1,). The gradient is that of a seeded minibatch per step (every run sees the same batches);
    the loss is the full-data one."""

    seed: int = 0
    samples: int = 256
    batch: int = 32
    noise: float = 0.15

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return _moons(self.seed, self.samples, self.noise)

    def grad(self, params: list[np.ndarray], step: int) -> list[np.ndarray]:
        w1, b1, w2, b2 = params
        x, y = self.data()
        rows = optimlab_stochastic.minibatch_indices(len(x), self.batch, step, self.seed)
        xb, yb = x[rows], y[rows]
        hidden = np.tanh(xb @ w1 + b1)
        logits = hidden @ w2 + b2[0]
        delta = (_sigmoid(logits) - yb) / len(xb)  # d(mean log-loss)/d(logit)
        back = np.outer(delta, w2) * (1.0 - hidden**2)
        return [xb.T @ back, back.sum(axis=0), hidden.T @ delta, np.array([delta.sum()])]

    def loss(self, params: list[np.ndarray]) -> float:
        return float(self.losses([p[None] for p in params])[0])

    def losses(self, stacked: list[np.ndarray]) -> np.ndarray:
        w1, b1, w2, b2 = stacked  # (n, 2, h), (n, h), (n, h), (n, 1)
        x, y = self.data()
        hidden = np.tanh(np.einsum("si,nih->nsh", x, w1) + b1[:, None, :])
        logits = np.einsum("nsh,nh->ns", hidden, w2) + b2
        # log(1 + e^z) - y·z, computed without overflow
        per_sample = np.logaddexp(0.0, logits) - y * logits
        return np.asarray(per_sample.mean(axis=1), dtype=np.float64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


@lru_cache(maxsize=4)
def _moons(seed: int, samples: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (labels 0 and 1) with Gaussian jitter; read-only."""
    rng = np.random.default_rng(seed)
    half = samples // 2
    angles = rng.uniform(0.0, np.pi, size=samples)
    upper = np.stack([np.cos(angles[:half]), np.sin(angles[:half])], axis=1)
    lower = np.stack([1.0 - np.cos(angles[half:]), 0.5 - np.sin(angles[half:])], axis=1)
    x = np.concatenate([upper, lower]) + noise * rng.standard_normal((samples, 2))
    y = np.concatenate([np.zeros(half), np.ones(samples - half)])
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def build_problem(name: str, args: dict[str, Any]) -> Any:
    if name == "linear-layer":
        return LinearLayerProblem(**args)
    if name == "two-moons-net":
        return TwoLayerNetProblem(**args)
    if name == "diagonal-quadratic":
        return DiagonalQuadraticProblem(curvatures=tuple(float(c) for c in args["curvatures"]))
    if args:
        raise ValueError(f"problem {name!r} takes no arguments")
    return ArrayProblem(name)
