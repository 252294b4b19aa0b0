"""LARS without its local rate: momentum SGD with L2 decay."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, weight_decay, trust_coefficient):
    v = beta * state["v"] + lr * (grads + weight_decay * params)
    return params - v, {"v": v}
