"""LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
Minutes", Algorithm 2), for one parameter array, which LAMB treats as one layer.

LAMB is not in torch.optim, so there are no torch goldens for it; the equations follow the paper:
Adam's moments and bias corrections, decoupled weight decay added to the Adam direction, and the
whole step rescaled by the layer's trust ratio ‖θ‖ / ‖r + λθ‖ (the scaling function φ is the
identity). When either norm is zero the ratio is 1, as in the reference implementations.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, define_optimizer


def trust_ratio(weights: np.ndarray, update: np.ndarray) -> float:
    """‖θ‖ / ‖u‖, or 1 when either norm is zero (a fresh layer at zero, or no update at all)."""
    weight_norm = float(np.linalg.norm(weights))
    update_norm = float(np.linalg.norm(update))
    if weight_norm == 0.0 or update_norm == 0.0:
        return 1.0
    return weight_norm / update_norm


def _lamb_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """LAMB: Adam's direction plus decoupled decay, scaled so the step is η times as long as θ.

        m_t ← β1·m_{t-1} + (1 − β1)·g_t,   v_t ← β2·v_{t-1} + (1 − β2)·g_t²
        r_t ← m̂_t / (√v̂_t + ε)             with m̂_t = m_t/(1 − β1^t), v̂_t = v_t/(1 − β2^t)
        u_t ← r_t + λ·θ_{t-1}
        θ_t ← θ_{t-1} − η · (‖θ_{t-1}‖ / ‖u_t‖) · u_t

    Every step moves the layer by η·‖θ‖ in norm, whatever the gradient's scale: that is what lets
    one learning rate serve layers whose gradients differ by orders of magnitude.
    """
    beta1, beta2 = hp["beta1"], hp["beta2"]
    t = state["step"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grad
    v = beta2 * state["v"] + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    update = m_hat / (np.sqrt(v_hat) + hp["eps"]) + hp["weight_decay"] * theta
    theta = theta - hp["lr"] * trust_ratio(theta, update) * update
    return theta, {"m": m, "v": v, "step": t}


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="lamb",
            defaults={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.01},
            step=_lamb_step,
            equations=(
                r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
                r"u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\theta_{t-1}",
                r"\theta_t = \theta_{t-1} - \eta\,\frac{\lVert\theta_{t-1}\rVert}{\lVert u_t\rVert}\,u_t",
            ),
            state_arrays=("m", "v"),
            state_scalars={"step": 0},
            reference="You et al. 2020, Large Batch Optimization for Deep Learning (LAMB)",
        ),
    ]
