"""Problems whose gradient is noisy: every run with the same seed sees exactly the same noise.

Reproducibility comes from deriving a fresh `numpy.random.Generator` from (seed, step) or (seed, epoch)
instead of drawing from one shared generator, so the gradient at step t does not depend on how many
gradients were asked for before it (a re-run, or a finite-difference check, gets the same numbers).
`value` is always the exact full-data loss; `full_grad` is its exact gradient.

The regression problems use one parameter vector p = [w, b]: slope first, intercept (bias) second, which
keeps them 2-D so they can be drawn as contour plots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from optimlab.problems.base import Problem, vectorised_problem

DEFAULT_SEED = 0


def make_noisy_quadratic(
    eigenvalues: Sequence[float] = (1.0, 4.0),
    noise_std: float = 1.0,
    seed: int = DEFAULT_SEED,
) -> Problem:
    """½xᵀQx with diagonal Q, gradient = exact gradient + N(0, noise_std²) noise drawn per step."""
    eig = np.array(eigenvalues, dtype=np.float64)
    if noise_std < 0:
        raise ValueError("noise_std must be non-negative")
    hessian = np.diag(eig)
    hessian.setflags(write=False)

    def values(x: np.ndarray) -> np.ndarray:
        return 0.5 * np.sum(eig * x * x, axis=-1)

    def full_grad(x: np.ndarray) -> np.ndarray:
        return eig * x

    def grad(x: np.ndarray, step: int = 0) -> np.ndarray:
        noise = np.random.default_rng([seed, step]).standard_normal(x.shape)
        return eig * x + noise_std * noise

    return vectorised_problem(
        values,
        grad,
        name="noisy-quadratic",
        title="Noisy quadratic",
        full_grad=full_grad,
        start=[-4.0, 3.0][: eig.size] + [1.0] * max(0, eig.size - 2),
        window=(-5.0, 5.0, -5.0, 5.0),
        description=(
            f"$J(x)=\\tfrac12\\sum_i \\lambda_i x_i^2$ with $\\lambda=({', '.join(f'{v:g}' for v in eig)})$, but each "
            f"gradient carries Gaussian noise of standard deviation {noise_std:g}, as a minibatch gradient would. "
            "A constant learning rate ends up jittering around the minimum; a decaying one or momentum "
            "averages the noise away. The loss shown is the exact one."
        ),
        minimizers=[np.zeros(eig.size)],
        min_value=0.0,
        stochastic=True,
        hessian=hessian,
    )


def minibatch_indices(n: int, batch_size: int, step: int, seed: int) -> np.ndarray:
    """Indices of minibatch `step`: each epoch walks through a fresh seeded permutation of the data."""
    batches_per_epoch = max(1, n // batch_size)
    epoch, position = divmod(step, batches_per_epoch)
    return epoch_order(n, seed, epoch)[position * batch_size : (position + 1) * batch_size]


@lru_cache(maxsize=32)
def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    # Cached because a run asks for the same epoch's order once per minibatch.
    order = np.random.default_rng([seed, epoch]).permutation(n)
    order.setflags(write=False)
    return order


def with_bias(x: np.ndarray) -> np.ndarray:
    return np.column_stack([x, np.ones_like(x)])


# The regressions are drawn with the slope on x and the intercept on y.
REGRESSION_AXES = ("slope $w$", "intercept $b$")
BatchGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def minibatch_regression(
    values: Callable[[np.ndarray], np.ndarray],
    batch_grad: BatchGrad,
    *,
    design: np.ndarray,
    targets: np.ndarray,
    batch_size: int,
    seed: int,
    best: np.ndarray,
    **fields: object,
) -> Problem:
    """A regression on p = [w, b] whose `grad` at step t is `batch_grad` (p, rows, targets) on minibatch t
    and whose `full_grad` is the same on all the data; `best` is the full-data minimiser."""
    n = len(targets)

    def full_grad(p: np.ndarray) -> np.ndarray:
        return batch_grad(p, design, targets)

    def grad(p: np.ndarray, step: int = 0) -> np.ndarray:
        batch = minibatch_indices(n, batch_size, step, seed)
        return batch_grad(p, design[batch], targets[batch])

    return vectorised_problem(
        values,
        grad,
        full_grad=full_grad,
        minimizers=[best],
        min_value=float(values(best)),
        axis_labels=REGRESSION_AXES,
        stochastic=True,
        **fields,
    )


def make_linear_regression(n: int = 64, batch_size: int = 8, seed: int = DEFAULT_SEED) -> Problem:
    """Least squares ½·mean((w·x + b − y)²) on y = 2x − 1 + noise; p = [w, b]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=n)
    y = 2.0 * x - 1.0 + rng.normal(0.0, 0.5, size=n)
    design = with_bias(x)
    best, *_ = np.linalg.lstsq(design, y, rcond=None)
    hessian = design.T @ design / n
    hessian.setflags(write=False)

    def values(p: np.ndarray) -> np.ndarray:
        residual = p @ design.T - y  # (..., n)
        return 0.5 * np.mean(residual**2, axis=-1)

    def batch_grad(p: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return rows.T @ (rows @ p - targets) / len(rows)

    return minibatch_regression(
        values,
        batch_grad,
        design=design,
        targets=y,
        batch_size=batch_size,
        seed=seed,
        best=best,
        name="linear-regression",
        title="Linear regression (minibatches)",
        start=[-2.0, 3.0],
        window=(-3.0, 5.0, -4.0, 4.0),
        description=(
            f"Fit $y\\approx wx+b$ to {n} seeded noisy points from $y=2x-1$ by minimising "
            "$\\tfrac12\\,\\mathrm{mean}(wx+b-y)^2$. Parameters are $(w, b)$; each step sees one minibatch of "
            f"{batch_size} points, so the path wobbles around the least-squares solution "
            f"$({best[0]:.3f}, {best[1]:.3f})$."
        ),
        hessian=hessian,
    )


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free form of 1 / (1 + e^(−z))


def make_logistic_regression(n: int = 64, batch_size: int = 8, seed: int = DEFAULT_SEED) -> Problem:
    """Mean log-loss of P(y=1 | x) = σ(w·x + b) on seeded labels from σ(1.5x − 0.5); p = [w, b]."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.5, size=n)
    labels = (rng.uniform(size=n) < sigmoid(1.5 * x - 0.5)).astype(np.float64)
    design = with_bias(x)

    def values(p: np.ndarray) -> np.ndarray:
        z = p @ design.T  # (..., n)
        return np.mean(np.logaddexp(0.0, z) - labels * z, axis=-1)

    def batch_grad(p: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return rows.T @ (sigmoid(rows @ p) - targets) / len(rows)

    best = newton_minimiser(design, labels)
    return minibatch_regression(
        values,
        batch_grad,
        design=design,
        targets=labels,
        batch_size=batch_size,
        seed=seed,
        best=best,
        name="logistic-regression",
        title="Logistic regression (minibatches)",
        start=[-2.0, 2.0],
        window=(-3.0, 4.0, -3.0, 3.0),
        description=(
            f"Classify {n} seeded points with $P(y=1\\mid x)=\\sigma(wx+b)$ by minimising the mean log-loss. "
            f"Parameters are $(w, b)$; each step sees one minibatch of {batch_size} points. The full-data "
            f"minimiser is about $({best[0]:.3f}, {best[1]:.3f})$."
        ),
    )


def newton_minimiser(design: np.ndarray, labels: np.ndarray, iterations: int = 50) -> np.ndarray:
    """The exact full-data minimiser; the loss is strictly convex because the seeded data is not separable."""
    p = np.zeros(design.shape[1])
    for _ in range(iterations):
        probabilities = sigmoid(design @ p)
        gradient = design.T @ (probabilities - labels) / len(labels)
        curvature = (design * (probabilities * (1 - probabilities))[:, None]).T @ design / len(labels)
        p = p - np.linalg.solve(curvature, gradient)
        if np.max(np.abs(gradient)) < 1e-14:
            break
    return p
