import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = beta * state["v"] + grads
    return params - lr * (grads + beta * v), {"v": v}
