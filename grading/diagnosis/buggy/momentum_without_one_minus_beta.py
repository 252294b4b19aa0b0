"""EMA-momentum exercise written in the PyTorch form: the gradient gets weight 1, not (1 - beta)."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = beta * state["v"] + grads
    return params - lr * v, {"v": v}
