import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    # TODO: move against the gradient. This placeholder never moves at all.
    new_params = np.array(params, copy=True)
    return new_params, state
