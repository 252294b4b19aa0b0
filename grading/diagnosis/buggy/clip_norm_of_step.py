"""The step lr·g is clipped to max_norm instead of the gradient g."""

import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr, max_norm):
    update = lr * grads
    norm = np.sqrt(np.sum(update * update))
    return params - min(1.0, max_norm / (norm + 1e-6)) * update, state
