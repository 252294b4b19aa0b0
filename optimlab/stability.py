"""Convergence analysis of gradient descent and heavy-ball momentum on a quadratic ½xᵀQx.

On a quadratic both methods act on each eigen-direction of Q separately, so everything follows from the
eigenvalues λ of Q:

* gradient descent multiplies the error along λ by (1 − ηλ) per step: it converges iff 0 < ηλ < 2 for every λ,
  i.e. η < 2/λ_max; the best fixed η is 2/(λ_min + λ_max), giving the rate (κ − 1)/(κ + 1), κ = λ_max/λ_min;
* heavy-ball momentum (v ← βv + g, x ← x − ηv) evolves (v, x) by the 2×2 matrix
  [[β, λ], [−ηβ, 1 − ηλ]]; its spectral radius is the per-step contraction, and it converges iff
  0 < ηλ < 2 + 2β for every λ (0 ≤ β < 1).

Django-free; only NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# How each optimizer name maps onto the heavy-ball analysis. "momentum-ema" (v ← βv + (1−β)g) is heavy ball
# with the learning rate scaled by (1 − β); "momentum-lr-inside" (m ← βm + ηg, x ← x − m) is exactly heavy ball.
ANALYSED_OPTIMIZERS = ("sgd", "momentum", "momentum-lr-inside", "momentum-ema", "nesterov")


def eigenvalues_of(hessian: npt.ArrayLike) -> np.ndarray:
    q = np.asarray(hessian, dtype=np.float64)
    if q.ndim != 2 or q.shape[0] != q.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {q.shape}")
    if not np.allclose(q, q.T):
        raise ValueError("the matrix must be symmetric")
    return np.linalg.eigvalsh(q)


def gd_factor(lam: float, lr: float) -> float:
    """|1 − ηλ|: how much gradient descent shrinks (or grows) the error along one eigen-direction."""
    return abs(1.0 - lr * lam)


def momentum_matrix(lam: float, lr: float, beta: float) -> np.ndarray:
    """The matrix taking (v_t, x_t) to (v_{t+1}, x_{t+1}) for heavy ball on ½λx²."""
    return np.array([[beta, lam], [-lr * beta, 1.0 - lr * lam]])


def nesterov_matrix(lam: float, lr: float, beta: float) -> np.ndarray:
    """The same for PyTorch-style Nesterov (v ← βv + g, x ← x − η(g + βv)) on ½λx²."""
    return np.array([[beta, lam], [-lr * beta * beta, 1.0 - lr * lam * (1.0 + beta)]])


def spectral_radius(matrix: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def contraction(
    eigenvalues: Iterable[float], lr: float, beta: float = 0.0, method: str = "momentum"
) -> float:
    """Predicted worst per-step contraction factor: < 1 means convergence, > 1 divergence.

    `method` is "sgd", "momentum" (heavy ball) or "nesterov"; with beta = 0 they all reduce to |1 − ηλ|.
    """
    factors = per_eigenvalue_factors(eigenvalues, lr, beta, method)
    return max(factors)


def per_eigenvalue_factors(
    eigenvalues: Iterable[float], lr: float, beta: float = 0.0, method: str = "momentum"
) -> list[float]:
    if method == "sgd" or beta == 0.0:
        return [gd_factor(lam, lr) for lam in map(float, eigenvalues)]
    if method == "momentum":
        return [spectral_radius(momentum_matrix(lam, lr, beta)) for lam in map(float, eigenvalues)]
    if method == "nesterov":
        return [spectral_radius(nesterov_matrix(lam, lr, beta)) for lam in map(float, eigenvalues)]
    raise ValueError(f"unknown method {method!r}; use sgd, momentum or nesterov")


@dataclass(frozen=True)
class QuadraticStability:
    """What theory predicts for a quadratic; learning-rate bounds are None when no positive rate converges."""

    eigenvalues: tuple[float, ...]
    condition_number: float  # λ_max/λ_min; inf when Q is not positive definite
    positive_definite: bool
    gd_max_lr: float | None  # GD converges iff 0 < η < gd_max_lr
    gd_optimal_lr: float | None
    gd_optimal_rate: float | None  # contraction per step at the optimal η
    lr: float | None = None
    beta: float | None = None
    method: str | None = None
    momentum_max_lr: float | None = None  # heavy ball with this β converges iff η < momentum_max_lr
    factors: tuple[float, ...] = ()  # predicted contraction along each eigen-direction for (lr, beta)
    predicted_contraction: float | None = None
    converges: bool | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["eigenvalues"] = list(self.eigenvalues)
        data["factors"] = list(self.factors)
        data["notes"] = list(self.notes)
        # JSON has no infinity: an unbounded condition number is reported as None.
        if not math.isfinite(self.condition_number):
            data["condition_number"] = None
        return data


def analyse_quadratic(
    hessian: npt.ArrayLike,
    lr: float | None = None,
    beta: float | None = None,
    method: str = "momentum",
) -> QuadraticStability:
    """Analyse ½xᵀQx; with `lr` (and `beta`) also predict the contraction of that particular run."""
    eig = eigenvalues_of(hessian)
    lam_min, lam_max = float(eig.min()), float(eig.max())
    positive_definite = lam_min > 0
    notes: list[str] = []
    if positive_definite:
        kappa = lam_max / lam_min
        gd_max_lr: float | None = 2.0 / lam_max
        gd_optimal_lr: float | None = 2.0 / (lam_min + lam_max)
        gd_optimal_rate: float | None = (kappa - 1.0) / (kappa + 1.0)
    else:
        kappa = math.inf
        gd_max_lr = gd_optimal_lr = gd_optimal_rate = None
        notes.append(
            "Q has a non-positive eigenvalue, so there is no minimiser to converge to: along that direction "
            "every positive learning rate moves away (or, for λ = 0, does not move at all)."
        )

    analysis: dict[str, Any] = dict(
        eigenvalues=tuple(float(v) for v in eig),
        condition_number=kappa,
        positive_definite=positive_definite,
        gd_max_lr=gd_max_lr,
        gd_optimal_lr=gd_optimal_lr,
        gd_optimal_rate=gd_optimal_rate,
        notes=tuple(notes),
    )
    if lr is None:
        return QuadraticStability(**analysis)

    beta = 0.0 if beta is None else float(beta)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    if method == "sgd" and beta:
        raise ValueError("plain gradient descent has no beta")
    factors = per_eigenvalue_factors(eig, lr, beta, method)
    worst = max(factors)
    momentum_max_lr = None
    if method == "momentum" and positive_definite:
        momentum_max_lr = (2.0 + 2.0 * beta) / lam_max
    return QuadraticStability(
        **analysis,
        lr=float(lr),
        beta=beta,
        method=method,
        momentum_max_lr=momentum_max_lr,
        factors=tuple(factors),
        predicted_contraction=worst,
        converges=bool(worst < 1.0) and positive_definite,
    )


def analyse_run(hessian: npt.ArrayLike, optimizer: str, hp: dict[str, float]) -> QuadraticStability | None:
    """The analysis for one optimizer configuration, or None when the theory here does not cover it.

    `hp` must be complete (defaults already filled in, as in `RunResult.hp`). Adaptive methods (Adam,
    RMSProp, ...) rescale each coordinate by its gradient history, which makes the dynamics non-linear, so
    only SGD and the momentum family are analysed.
    """
    if optimizer not in ANALYSED_OPTIMIZERS or "lr" not in hp:
        return None
    # L2 weight decay adds λ·x to the gradient, i.e. it adds λ to every eigenvalue of Q.
    decay = float(hp.get("weight_decay", 0.0))
    if decay:
        q = np.asarray(hessian, dtype=np.float64)
        hessian = q + decay * np.eye(len(q))
    lr = float(hp["lr"])
    if optimizer == "sgd":
        return analyse_quadratic(hessian, lr=lr, method="sgd")
    if "beta" not in hp:
        return None
    beta = float(hp["beta"])
    if optimizer == "momentum-ema":
        lr *= 1.0 - beta
    method = "nesterov" if optimizer == "nesterov" else "momentum"
    return analyse_quadratic(hessian, lr=lr, beta=beta, method=method)
