"""LAMB with the trust ratio taken coordinate by coordinate instead of over the whole array."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps, weight_decay):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    update = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * params
    weight_size = np.abs(params)
    update_size = np.abs(update)
    usable = (weight_size > 0) & (update_size > 0)
    ratio = np.where(usable, weight_size / np.where(usable, update_size, 1.0), 1.0)
    return params - lr * ratio * update, {"m": m, "v": v, "t": t}
