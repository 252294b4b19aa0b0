import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, eps):
    v = beta * state["v"] + (1 - beta) * grads * grads
    return params - lr * grads / (np.sqrt(v) + eps), {"v": v}
