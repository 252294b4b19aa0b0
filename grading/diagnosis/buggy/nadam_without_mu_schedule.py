"""NAdam with a constant momentum weight β1 instead of torch's μ_t schedule (plain Nesterov-Adam)."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    denominator = np.sqrt(v / (1 - beta2**t)) + eps
    gradient_term = (1 - beta1) / (1 - beta1**t) * grads
    momentum_term = beta1 / (1 - beta1 ** (t + 1)) * m
    return params - lr * (gradient_term + momentum_term) / denominator, {"m": m, "v": v, "t": t}
