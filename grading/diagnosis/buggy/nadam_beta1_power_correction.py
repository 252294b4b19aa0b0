"""NAdam with the μ schedule but Adam's bias correction 1 − β1^t instead of 1 − Π μ_i."""

import numpy as np

MOMENTUM_DECAY = 0.004


def momentum_weight(t, beta1):
    return beta1 * (1 - 0.5 * 0.96 ** (t * MOMENTUM_DECAY))


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    mu = momentum_weight(t, beta1)
    mu_next = momentum_weight(t + 1, beta1)
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    denominator = np.sqrt(v / (1 - beta2**t)) + eps
    gradient_term = (1 - mu) / (1 - beta1**t) * grads
    momentum_term = mu_next / (1 - beta1 ** (t + 1)) * m
    return params - lr * (gradient_term + momentum_term) / denominator, {"m": m, "v": v, "t": t}
