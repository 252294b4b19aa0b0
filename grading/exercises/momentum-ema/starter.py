import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    # TODO: the new gradient should only get weight (1 - beta) in the average.
    v = beta * state["v"]
    return params - lr * v, {"v": v}
