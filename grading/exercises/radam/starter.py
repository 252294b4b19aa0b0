import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    # TODO: this is Adam. Compute rho_t, take the plain momentum step while rho_t <= 5,
    # and multiply the adaptive step by the rectification r_t afterwards.
    new_params = params - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_params, {"m": m, "v": v, "t": t}
