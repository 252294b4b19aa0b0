"""RMSProp whose average adds g**2 with weight 1 instead of (1 - beta)."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, eps):
    v = beta * state["v"] + grads * grads
    return params - lr * grads / (np.sqrt(v) + eps), {"v": v}
