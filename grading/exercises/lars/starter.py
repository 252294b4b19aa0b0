import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, weight_decay, trust_coefficient):
    # TODO: this is momentum SGD with L2 decay. Scale the step by the layer's local rate
    # trust_coefficient * ||params|| / (||grads|| + weight_decay * ||params||)
    # (one number for the whole array; 1 when either norm is zero).
    v = beta * state["v"] + lr * (grads + weight_decay * params)
    return params - v, {"v": v}
