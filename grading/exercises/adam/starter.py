import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps):
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    # TODO: correct both moments for their zero start before using them.
    new_params = params - lr * m / (np.sqrt(v) + eps)
    return new_params, {"m": m, "v": v, "t": t}
