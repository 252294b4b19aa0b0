"""RMSProp with Adam's bias correction added (PyTorch's RMSprop has none)."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta, eps):
    t = state["t"] + 1
    v = beta * state["v"] + (1 - beta) * grads * grads
    v_hat = v / (1 - beta**t)
    return params - lr * grads / (np.sqrt(v_hat) + eps), {"v": v, "t": t}
