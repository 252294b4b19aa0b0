import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = beta * state["v"] + (1 - beta) * grads
    return params - lr * v, {"v": v}
