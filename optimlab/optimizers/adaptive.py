"""Per-coordinate step sizes from squared gradients: AdaGrad and RMSProp (torch conventions).

Notation: t = 1, 2, ...; η is ``lr``, λ is ``weight_decay`` (an L2 term added to the gradient,
as torch does), ε is ``eps``. Squares, roots and divisions act coordinate by coordinate.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, add_l2, define_optimizer


def _adagrad_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """AdaGrad as torch.optim.Adagrad (lr_decay=0, initial_accumulator_value=0).

        g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
        s_t ← s_{t-1} + g_t²            (s_0 = 0; the sum never forgets)
        θ_t ← θ_{t-1} − η·g_t / (√s_t + ε)

    ε sits outside the root. Because s only grows, the effective step η/√s_t keeps shrinking.
    """
    g = add_l2(grad, theta, hp["weight_decay"])
    sum_sq = state["sum_sq"] + g * g
    denom = np.sqrt(sum_sq) + hp["eps"]
    return theta + (-hp["lr"] * g) / denom, {"sum_sq": sum_sq}


def _rmsprop_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """RMSProp as torch.optim.RMSprop (centered=False, momentum=0); β is torch's ``alpha``.

        g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
        v_t ← β·v_{t-1} + (1 − β)·g_t²  (v_0 = 0, no bias correction)
        θ_t ← θ_{t-1} − η·g_t / (√v_t + ε)

    ε is added after the square root. Without bias correction the first steps are large:
    v_1 = (1 − β)·g_1², so the first step is about η/√(1 − β) = 10·η for β = 0.99.
    """
    beta = hp["beta"]
    g = add_l2(grad, theta, hp["weight_decay"])
    v = state["v"] * beta + (1 - beta) * g * g
    denom = np.sqrt(v) + hp["eps"]
    return theta + (-hp["lr"] * g) / denom, {"v": v}


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="adagrad",
            defaults={"lr": 1e-2, "eps": 1e-10, "weight_decay": 0.0},
            step=_adagrad_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}",
                r"s_t = s_{t-1} + g_t^2",
                r"\theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{s_t} + \epsilon}",
            ),
            state_arrays=("sum_sq",),
            reference="torch.optim.Adagrad",
        ),
        define_optimizer(
            name="rmsprop",
            defaults={"lr": 1e-2, "beta": 0.99, "eps": 1e-8, "weight_decay": 0.0},
            step=_rmsprop_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}",
                r"v_t = \beta v_{t-1} + (1-\beta) g_t^2",
                r"\theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \epsilon}",
            ),
            state_arrays=("v",),
            reference="torch.optim.RMSprop(alpha=beta)",
        ),
    ]
