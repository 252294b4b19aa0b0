"""LAMB with the trust ratio measured on the Adam direction alone and the decay left unscaled."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps, weight_decay):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    direction = m_hat / (np.sqrt(v_hat) + eps)
    weight_norm = np.linalg.norm(params)
    direction_norm = np.linalg.norm(direction)
    ratio = weight_norm / direction_norm if weight_norm > 0 and direction_norm > 0 else 1.0
    return params - lr * (ratio * direction + weight_decay * params), {"m": m, "v": v, "t": t}
