"""RAdam whose adaptive branch leaves out the rectification r_t (Adam's step after the switch)."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        new_params = params - lr * m_hat * np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    else:
        new_params = params - lr * m_hat
    return new_params, {"m": m, "v": v, "t": t}
