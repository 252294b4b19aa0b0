"""Nesterov storing the look-ahead direction g + beta * v as the velocity."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    v = beta * state["v"] + grads
    direction = grads + beta * v
    return params - lr * direction, {"v": direction}
