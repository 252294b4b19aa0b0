import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta):
    # TODO: accumulate the gradient into the velocity and step along the velocity.
    # This placeholder is plain gradient descent: the velocity is never used.
    return params - lr * grads, state
