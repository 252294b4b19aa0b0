"""LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks",
Algorithm 1), for one parameter array, which LARS treats as one layer.

LARS is not in torch.optim, so there are no torch goldens for it; the equations follow the paper:
momentum SGD with L2 weight decay whose step is scaled, layer by layer, by a local learning rate
η·‖w‖ / (‖g‖ + λ‖w‖). The global learning rate γ sits inside the momentum buffer, as in the
paper. When either norm is zero the local rate is 1, as in the reference implementations.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, define_optimizer


def local_lr(weights: np.ndarray, grad: np.ndarray, trust_coefficient: float, weight_decay: float) -> float:
    """η·‖w‖ / (‖g‖ + λ‖w‖), or 1 when ‖w‖ or ‖g‖ is zero (a layer at zero, or no gradient)."""
    weight_norm = float(np.linalg.norm(weights))
    grad_norm = float(np.linalg.norm(grad))
    if weight_norm == 0.0 or grad_norm == 0.0:
        return 1.0
    return trust_coefficient * weight_norm / (grad_norm + weight_decay * weight_norm)


def _lars_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """LARS: momentum SGD whose step for each layer is scaled by its trust ratio.

        λ_local = η · ‖w_{t-1}‖ / (‖g_t‖ + β‖w_{t-1}‖)
        v_t ← m·v_{t-1} + γ · λ_local · (g_t + β·w_{t-1})
        w_t ← w_{t-1} − v_t

    (γ = lr, m = beta, β = weight_decay, η = trust_coefficient.) The step length no longer
    follows the gradient's size: before momentum, every layer moves by γ·η·‖w‖.
    """
    ratio = local_lr(theta, grad, hp["trust_coefficient"], hp["weight_decay"])
    v = hp["beta"] * state["v"] + hp["lr"] * ratio * (grad + hp["weight_decay"] * theta)
    return theta - v, {"v": v}


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="lars",
            defaults={"lr": 0.1, "beta": 0.9, "weight_decay": 5e-4, "trust_coefficient": 1e-3},
            step=_lars_step,
            equations=(
                r"\lambda_t = \eta\,\frac{\lVert w_{t-1}\rVert}{\lVert g_t\rVert + \beta\lVert w_{t-1}\rVert}",
                r"v_t = m\,v_{t-1} + \gamma\,\lambda_t\,(g_t + \beta w_{t-1})",
                r"w_t = w_{t-1} - v_t",
            ),
            state_arrays=("v",),
            reference="You, Gitman & Ginsburg 2017, Large Batch Training of Convolutional Networks (LARS)",
        ),
    ]
