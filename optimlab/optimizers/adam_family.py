"""Adam and its relatives, following torch.optim (Adam, AdamW, Adam(amsgrad=True), NAdam, RAdam).

Notation: t = 1, 2, ... counts updates (stored as ``step``); η is ``lr``, β1/β2 are ``beta1``/
``beta2``, ε is ``eps``, λ is ``weight_decay``. Squares, roots and divisions act coordinate by
coordinate. Both moment buffers start at zero, which biases them towards zero early on; the
bias corrections divide that out: m̂_t = m_t / (1 − β1^t), v̂_t = v_t / (1 − β2^t).

The arithmetic is written in the order torch evaluates it (e.g. ε added to √v_t / √(1 − β2^t)
rather than to √v̂_t), so reference trajectories agree with torch's to rounding error.
"""

from __future__ import annotations

import numpy as np

from .base import Optimizer, State, add_l2, define_optimizer

ADAM_DEFAULTS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
# torch.optim.NAdam's momentum_decay ψ: how fast the momentum schedule μ_t climbs to β1.
NADAM_MOMENTUM_DECAY = 4e-3
# RAdam switches on the adaptive step only once the variance estimate is trustworthy.
RADAM_RHO_THRESHOLD = 5.0


def _moments(grad: np.ndarray, state: State, hp: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """m_t = β1·m_{t-1} + (1 − β1)·g_t and v_t = β2·v_{t-1} + (1 − β2)·g_t²."""
    beta1, beta2 = hp["beta1"], hp["beta2"]
    m = state["m"] + (1 - beta1) * (grad - state["m"])  # the same EMA, written as torch's lerp
    v = state["v"] * beta2 + (1 - beta2) * grad * grad
    return m, v


def _adam_like(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float], *, amsgrad: bool
) -> tuple[np.ndarray, State]:
    t = state["step"] + 1
    m, v = _moments(grad, state, hp)
    bias_correction1 = 1 - hp["beta1"] ** t
    bias_correction2 = 1 - hp["beta2"] ** t
    new_state: State = {"m": m, "v": v, "step": t}
    second_moment = v
    if amsgrad:
        second_moment = np.maximum(state["v_max"], v)
        new_state["v_max"] = second_moment
    denom = np.sqrt(second_moment) / bias_correction2**0.5 + hp["eps"]
    step_size = hp["lr"] / bias_correction1
    return theta + (-step_size * m) / denom, new_state


def _adam_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """Adam as torch.optim.Adam; λ is an L2 term added to the gradient.

        g_t ← ∇f(θ_{t-1}) + λ·θ_{t-1}
        m_t ← β1·m_{t-1} + (1 − β1)·g_t
        v_t ← β2·v_{t-1} + (1 − β2)·g_t²
        θ_t ← θ_{t-1} − η·m̂_t / (√v̂_t + ε)     with m̂_t = m_t/(1 − β1^t), v̂_t = v_t/(1 − β2^t)

    ε is added after the bias correction. The first step moves every coordinate by about η
    (m̂_1/√v̂_1 = g_1/|g_1|), whatever the gradient's size.
    """
    g = add_l2(grad, theta, hp["weight_decay"])
    return _adam_like(theta, g, state, hp, amsgrad=False)


def _adamw_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """AdamW as torch.optim.AdamW: the decay shrinks θ directly instead of entering g.

        θ' ← θ_{t-1}·(1 − η·λ)          (decoupled weight decay, applied first)
        m_t, v_t, m̂_t, v̂_t as in Adam, from the plain gradient g_t = ∇f(θ_{t-1})
        θ_t ← θ' − η·m̂_t / (√v̂_t + ε)

    Because the decay never passes through √v̂, every coordinate decays at the same rate η·λ.
    """
    decayed = theta * (1 - hp["lr"] * hp["weight_decay"]) if hp["weight_decay"] != 0 else theta
    return _adam_like(decayed, grad, state, hp, amsgrad=False)


def _amsgrad_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """AMSGrad as torch.optim.Adam(amsgrad=True).

        g_t, m_t, v_t as in Adam
        v^max_t ← max(v^max_{t-1}, v_t)          (v^max_0 = 0; the max is over raw, uncorrected v)
        θ_t ← θ_{t-1} − η/(1 − β1^t) · m_t / (√v^max_t / √(1 − β2^t) + ε)

    The denominator can never shrink, so a burst of large gradients keeps later steps small.
    """
    g = add_l2(grad, theta, hp["weight_decay"])
    return _adam_like(theta, g, state, hp, amsgrad=True)


def _nadam_mu(t: int, beta1: float) -> float:
    """torch's momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)), rising towards β1."""
    return beta1 * (1.0 - 0.5 * (0.96 ** (t * NADAM_MOMENTUM_DECAY)))


def _nadam_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """NAdam as torch.optim.NAdam (momentum_decay ψ = 0.004, L2 decay λ added to g).

        μ_t = β1·(1 − ½·0.96^(t·ψ)),   Π_t = μ_1·μ_2·…·μ_t   (stored as ``mu_product``)
        m_t, v_t as in Adam;  v̂_t = v_t/(1 − β2^t)
        θ_t ← θ_{t-1} − η·(1 − μ_t)/(1 − Π_t) · g_t/(√v̂_t + ε)
                      − η·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m_t/(√v̂_t + ε)

    The second term uses next step's momentum weight: Nesterov's look-ahead inside Adam.
    Here ε is added after the bias correction, as in Adam.
    """
    t = state["step"] + 1
    lr, beta1 = hp["lr"], hp["beta1"]
    g = add_l2(grad, theta, hp["weight_decay"])
    mu = _nadam_mu(t, beta1)
    mu_next = _nadam_mu(t + 1, beta1)
    mu_product = state["mu_product"] * mu
    mu_product_next = mu_product * mu_next
    m, v = _moments(g, state, hp)
    denom = np.sqrt(v / (1 - hp["beta2"] ** t)) + hp["eps"]
    # Two separate additions, as torch does them (one rounding each).
    theta = theta + ((-lr * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
    theta = theta + ((-lr * mu_next / (1.0 - mu_product_next)) * m) / denom
    return theta, {"m": m, "v": v, "step": t, "mu_product": mu_product}


def _radam_step(
    theta: np.ndarray, grad: np.ndarray, state: State, hp: dict[str, float]
) -> tuple[np.ndarray, State]:
    """RAdam as torch.optim.RAdam (L2 decay λ added to g).

        m_t, v_t as in Adam;  m̂_t = m_t/(1 − β1^t)
        ρ_∞ = 2/(1 − β2) − 1,   ρ_t = ρ_∞ − 2t·β2^t/(1 − β2^t)
        if ρ_t > 5:  r_t = √[(ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)]
                     θ_t ← θ_{t-1} − η·m̂_t·r_t·√(1 − β2^t)/(√v_t + ε)
        else:        θ_t ← θ_{t-1} − η·m̂_t          (too few samples: momentum without scaling)

    Unlike Adam, ε is added to √v_t before the bias correction. With β2 = 0.999 the first five
    steps take the un-adapted branch.
    """
    t = state["step"] + 1
    beta2, lr = hp["beta2"], hp["lr"]
    g = add_l2(grad, theta, hp["weight_decay"])
    m, v = _moments(g, state, hp)
    m_hat = m / (1 - hp["beta1"] ** t)
    bias_correction2 = 1 - beta2**t
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
    if rho_t > RADAM_RHO_THRESHOLD:
        rectification = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive = bias_correction2**0.5 / (np.sqrt(v) + hp["eps"])
        theta = theta - m_hat * lr * adaptive * rectification
    else:
        theta = theta - m_hat * lr
    return theta, {"m": m, "v": v, "step": t}


_ADAM_EQUATIONS = (
    r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
    r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
    r"\hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t}",
)
_L2 = r"g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}"


def build() -> list[Optimizer]:
    moments = ("m", "v")
    return [
        define_optimizer(
            name="adam",
            defaults=ADAM_DEFAULTS,
            step=_adam_step,
            equations=(
                _L2,
                *_ADAM_EQUATIONS,
                r"\theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}",
            ),
            state_arrays=moments,
            state_scalars={"step": 0},
            reference="torch.optim.Adam",
        ),
        define_optimizer(
            name="adamw",
            defaults={**ADAM_DEFAULTS, "weight_decay": 1e-2},
            step=_adamw_step,
            equations=(
                r"g_t = \nabla f(\theta_{t-1})",
                *_ADAM_EQUATIONS,
                r"\theta_t = \theta_{t-1}(1-\eta\lambda) - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}",
            ),
            state_arrays=moments,
            state_scalars={"step": 0},
            reference="torch.optim.AdamW",
        ),
        define_optimizer(
            name="amsgrad",
            defaults=ADAM_DEFAULTS,
            step=_amsgrad_step,
            equations=(
                _L2,
                *_ADAM_EQUATIONS[:2],
                r"v^{\max}_t = \max(v^{\max}_{t-1}, v_t)",
                r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,"
                r"\frac{m_t}{\sqrt{v^{\max}_t}/\sqrt{1-\beta_2^t}+\epsilon}",
            ),
            state_arrays=(*moments, "v_max"),
            state_scalars={"step": 0},
            reference="torch.optim.Adam(amsgrad=True)",
        ),
        define_optimizer(
            name="nadam",
            defaults={**ADAM_DEFAULTS, "lr": 2e-3},
            step=_nadam_step,
            equations=(
                _L2,
                r"\mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right),\quad \psi = 0.004",
                *_ADAM_EQUATIONS[:2],
                r"\hat v_t = \frac{v_t}{1-\beta_2^t}",
                r"\theta_t = \theta_{t-1} - \eta\,\frac{(1-\mu_t)/(1-\prod_{i\le t}\mu_i)\, g_t"
                r" + \mu_{t+1}/(1-\prod_{i\le t+1}\mu_i)\, m_t}{\sqrt{\hat v_t}+\epsilon}",
            ),
            state_arrays=moments,
            state_scalars={"step": 0, "mu_product": 1.0},
            reference="torch.optim.NAdam",
        ),
        define_optimizer(
            name="radam",
            defaults=ADAM_DEFAULTS,
            step=_radam_step,
            equations=(
                _L2,
                *_ADAM_EQUATIONS[:2],
                r"\hat m_t = \frac{m_t}{1-\beta_1^t},\quad \rho_\infty = \frac{2}{1-\beta_2} - 1,\quad"
                r" \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}",
                r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}",
                r"\theta_t = \theta_{t-1} - \eta\,\hat m_t\, r_t\,"
                r"\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}"
                r"\ \text{if } \rho_t > 5,\ \text{else } \theta_t = \theta_{t-1} - \eta\,\hat m_t",
            ),
            state_arrays=moments,
            state_scalars={"step": 0},
            reference="torch.optim.RAdam",
        ),
    ]
