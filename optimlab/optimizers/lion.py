"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

Lion is not in torch.optim, so there are no torch goldens for it; the equations follow the
paper, with its default betas (0.9, 0.99). The default lr 1e-4 is a tenth of Adam's: the paper
recommends a learning rate 3 to 10 times smaller than AdamW's because sign steps are large.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, define_optimizer


def _lion_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Lion: the step is the sign of an interpolated momentum, with decoupled weight decay.

        c_t ← β1·m_{t-1} + (1 − β1)·g_t      (interpolation used only for the step)
        θ_t ← θ_{t-1} − η·(sign(c_t) + λ·θ_{t-1})
        m_t ← β2·m_{t-1} + (1 − β2)·g_t      (m_0 = 0; the slower average that is kept)

    Every coordinate moves by exactly η (plus the decay) unless c_t is exactly 0, so Lion
    usually wants a learning rate 3 to 10 times smaller than AdamW's.
    """
    beta1, beta2, lr = hp["beta1"], hp["beta2"], hp["lr"]
    previous = state["m"]
    direction = np.sign(beta1 * previous + (1 - beta1) * grad)
    theta = theta - lr * (direction + hp["weight_decay"] * theta)
    m = beta2 * previous + (1 - beta2) * grad
    return theta, {"m": m}


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="lion",
            defaults={"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
            step=_lion_step,
            equations=(
                r"c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
                r"\theta_t = \theta_{t-1}"
                r" - \eta\,\left(\operatorname{sign}(c_t) + \lambda\theta_{t-1}\right)",
                r"m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t",
            ),
            state_arrays=("m",),
            reference="Chen et al. 2023, Symbolic Discovery of Optimization Algorithms (Lion)",
        ),
    ]
