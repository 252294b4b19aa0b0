"""Nesterov with the learning rate stored inside the velocity."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    m = beta * state["m"] + lr * grads
    return params - (lr * grads + beta * m), {"m": m}
