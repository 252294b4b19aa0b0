"""EMA momentum with beta and (1 - beta) swapped: the average mostly forgets its past."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = (1 - beta) * state["v"] + beta * grads
    return params - lr * v, {"v": v}
