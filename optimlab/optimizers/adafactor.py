"""Adafactor (Shazeer & Stern 2018), as torch.optim.Adafactor computes it, for one parameter array.

Adam keeps a second-moment estimate as large as the parameter. Adafactor keeps, for a matrix, only
the running mean of g² along each row and along each column and rebuilds the estimate as their
outer product divided by the mean of the row factor: m + n numbers instead of m·n. A parameter
with two or more axes is factored over its last two; a vector or a scalar keeps a full estimate.

What the numbers follow (torch's single-tensor code path):

- β2_t = 1 − t^τ with τ = ``beta2_decay`` (−0.8): the first step takes g² whole, later steps
  remember more and more of the past; there is no bias correction.
- the relative step: ρ_t = min(lr, 1/√t) and α_t = max(ε2, RMS(θ_{t-1}))·ρ_t, so a step is a
  fraction of the parameter's own size (measured before the weight decay);
- decoupled weight decay θ ← θ·(1 − lr·λ), scaled by lr (not by α_t);
- the update U = g / max(√V̂, ε1) is clipped by its RMS: divided by max(1, RMS(U)/d).

ε1 defaults to float64's machine epsilon, which is what torch uses for float64 parameters when its
``eps`` is ``(None, 1e-3)``; ``clip_threshold`` is torch's ``d``.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer, State, define_optimizer

FLOAT64_EPS = float(np.finfo(np.float64).eps)


def is_factored(shape: tuple[int, ...]) -> bool:
    return len(shape) >= 2


def state_shapes(shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """A row factor and a column factor for a matrix (or a stack of them); a full one otherwise."""
    if is_factored(shape):
        return {"row": shape[:-1], "col": (*shape[:-2], shape[-1])}
    return {"v": shape}


def rms(x: np.ndarray) -> float:
    """Root mean square of every entry."""
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def _adafactor_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Adafactor: factored second moments, a relative step size and update clipping.

    β2_t = 1 − t^τ,   ρ_t = min(η, 1/√t),   α_t = max(ε2, RMS(θ_{t-1}))·ρ_t
    matrix:  R_t = β2_t·R_{t-1} + (1 − β2_t)·mean_cols(g²),  C_t = β2_t·C_{t-1} + (1 − β2_t)·mean_rows(g²)
             V̂_t = R_t C_tᵀ / max(mean(R_t), ε1)
    vector:  V̂_t = β2_t·V̂_{t-1} + (1 − β2_t)·g²
    U_t = g / max(√V̂_t, ε1),   θ_t = θ_{t-1}·(1 − η·λ) − α_t · U_t / max(1, RMS(U_t)/d)
    """
    t = state["step"] + 1
    weight = float(t) ** hp["beta2_decay"]  # 1 − β2_t, which is 1 on the first step
    rho = min(hp["lr"], 1.0 / math.sqrt(t))
    alpha = max(hp["eps2"], rms(theta)) * rho
    eps1 = hp["eps1"]
    squared = grad * grad
    new_state: State = {"step": t}
    if is_factored(theta.shape):
        row = (1 - weight) * state["row"] + weight * squared.mean(axis=-1)
        col = (1 - weight) * state["col"] + weight * squared.mean(axis=-2)
        row_mean = np.maximum(row.mean(axis=-1), eps1)
        estimate = row[..., :, None] * col[..., None, :] / row_mean[..., None, None]
        new_state.update(row=row, col=col)
    else:
        estimate = (1 - weight) * state["v"] + weight * squared
        new_state["v"] = estimate
    update = grad / np.sqrt(np.maximum(estimate, eps1 * eps1))
    shrink = max(1.0, rms(update) / hp["clip_threshold"])
    if hp["weight_decay"] != 0:
        theta = theta * (1 - hp["lr"] * hp["weight_decay"])
    return theta - (alpha / shrink) * update, new_state


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="adafactor",
            defaults={
                "lr": 1e-2,
                "beta2_decay": -0.8,
                "eps1": FLOAT64_EPS,
                "eps2": 1e-3,
                "clip_threshold": 1.0,
                "weight_decay": 0.0,
            },
            step=_adafactor_step,
            equations=(
                r"\hat\beta_{2,t} = 1 - t^{\tau},\quad \rho_t = \min(\eta, 1/\sqrt{t}),\quad \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\rho_t",
                r"R_t = \hat\beta_{2,t} R_{t-1} + (1-\hat\beta_{2,t})\,\overline{g_t^2}^{\,\mathrm{row}},\quad C_t = \hat\beta_{2,t} C_{t-1} + (1-\hat\beta_{2,t})\,\overline{g_t^2}^{\,\mathrm{col}}",
                r"\hat V_t = \frac{R_t C_t^\top}{\max(\overline{R_t}, \epsilon_1)},\quad U_t = \frac{g_t}{\max(\sqrt{\hat V_t}, \epsilon_1)}",
                r"\theta_t = (1-\eta\lambda)\,\theta_{t-1} - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)}\,U_t",
            ),
            state_arrays=("row", "col", "v"),
            state_scalars={"step": 0},
            state_shapes=state_shapes,
            reference="torch.optim.Adafactor (Shazeer & Stern 2018, Adafactor: Adaptive Learning Rates with Sublinear Memory Cost)",
        ),
    ]
