import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = beta * state["v"] + grads
    # TODO: this is plain momentum; Nesterov adds a look-ahead to the step.
    return params - lr * v, {"v": v}
