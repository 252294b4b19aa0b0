"""Plain gradient descent and the three ways of writing heavy-ball momentum, plus Nesterov.

Notation in every docstring: t = 1, 2, ... counts updates, θ_{t-1} is the parameter the gradient
g_t was computed at, η is ``lr``, β is ``beta`` and λ is ``weight_decay``.

The three momentum conventions trace the same path when their learning rates are matched
(see each docstring); they differ in what the velocity buffer holds and in how a learning-rate
schedule acts on it.

torch.optim.SGD's default lr is 1e-3; we use it for every optimizer in this module. torch's
default momentum is 0, which would make ``momentum`` plain SGD, so the momentum variants
default to β = 0.9, the value almost every recipe (and the course) uses.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, add_l2, define_optimizer

SGD_LR = 1e-3
MOMENTUM_BETA = 0.9


def _sgd_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Gradient descent (torch.optim.SGD with momentum=0).

    g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
    θ_t ← θ_{t-1} − η·g_t
    """
    g = add_l2(grad, theta, hp["weight_decay"])
    return theta - hp["lr"] * g, {}


def _momentum_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Heavy-ball momentum as torch.optim.SGD(momentum=β) writes it (velocity sums raw gradients).

        g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
        v_t ← β·v_{t-1} + g_t          (v_0 = 0, so v_1 = g_1: torch's "first buffer = gradient")
        θ_t ← θ_{t-1} − η·v_t

    With a constant gradient, v settles at g/(1 − β): steps grow to η/(1 − β) times a GD step.
    """
    g = add_l2(grad, theta, hp["weight_decay"])
    v = hp["beta"] * state["v"] + g
    return theta - hp["lr"] * v, {"v": v}


def _momentum_ema_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Momentum with the velocity as an exponential moving average of gradients.

        v_t ← β·v_{t-1} + (1 − β)·g_t   (v_0 = 0)
        θ_t ← θ_{t-1} − η·v_t

    v here is (1 − β) times torch's buffer, so with lr η/(1 − β) this retraces ``momentum`` at lr η.
    At equal lr its steps are (1 − β) times shorter: same fixed points, slower path.
    """
    beta = hp["beta"]
    v = beta * state["v"] + (1 - beta) * grad
    return theta - hp["lr"] * v, {"v": v}


def _momentum_lr_inside_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Momentum with the learning rate inside the velocity (the step itself is remembered).

        m_t ← β·m_{t-1} + η·g_t         (m_0 = 0)
        θ_t ← θ_{t-1} − m_t

    At a constant lr, m_t = η·v_t and the path equals ``momentum``. Under a schedule it does not:
    m keeps old steps at their old learning rates, while torch's form rescales the whole buffer.
    """
    m = hp["beta"] * state["m"] + hp["lr"] * grad
    return theta - m, {"m": m}


def _nesterov_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Nesterov momentum exactly as torch.optim.SGD(momentum=β, nesterov=True).

        g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
        v_t ← β·v_{t-1} + g_t
        θ_t ← θ_{t-1} − η·(g_t + β·v_t)

    The step looks one velocity update ahead: it uses the buffer as it will be, not as it was.
    With β = 0 it is plain gradient descent.
    """
    beta = hp["beta"]
    g = add_l2(grad, theta, hp["weight_decay"])
    v = beta * state["v"] + g
    return theta - hp["lr"] * (g + beta * v), {"v": v}


def build() -> list[Optimizer]:
    return [
        define_optimizer(
            name="sgd",
            defaults={"lr": SGD_LR, "weight_decay": 0.0},
            step=_sgd_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}",
                r"\theta_t = \theta_{t-1} - \eta g_t",
            ),
            reference="torch.optim.SGD",
        ),
        define_optimizer(
            name="momentum",
            defaults={"lr": SGD_LR, "beta": MOMENTUM_BETA, "weight_decay": 0.0},
            step=_momentum_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}",
                r"v_t = \beta v_{t-1} + g_t",
                r"\theta_t = \theta_{t-1} - \eta v_t",
            ),
            state_arrays=("v",),
            reference="torch.optim.SGD(momentum=beta)",
        ),
        define_optimizer(
            name="momentum-ema",
            defaults={"lr": SGD_LR, "beta": MOMENTUM_BETA},
            step=_momentum_ema_step,
            equations=(r"v_t = \beta v_{t-1} + (1-\beta) g_t", r"\theta_t = \theta_{t-1} - \eta v_t"),
            state_arrays=("v",),
            reference="exponential-moving-average form of heavy-ball momentum",
        ),
        define_optimizer(
            name="momentum-lr-inside",
            defaults={"lr": SGD_LR, "beta": MOMENTUM_BETA},
            step=_momentum_lr_inside_step,
            equations=(r"m_t = \beta m_{t-1} + \eta g_t", r"\theta_t = \theta_{t-1} - m_t"),
            state_arrays=("m",),
            reference="heavy-ball momentum with the learning rate inside the velocity",
        ),
        define_optimizer(
            name="nesterov",
            defaults={"lr": SGD_LR, "beta": MOMENTUM_BETA, "weight_decay": 0.0},
            step=_nesterov_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}",
                r"v_t = \beta v_{t-1} + g_t",
                r"\theta_t = \theta_{t-1} - \eta\,(g_t + \beta v_t)",
            ),
            state_arrays=("v",),
            reference="torch.optim.SGD(momentum=beta, nesterov=True)",
        ),
    ]
