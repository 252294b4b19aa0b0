import math

import numpy as np


def init_state(params):
    # TODO: a matrix keeps one number per row and one per column, not a full array.
    return {"v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta2_decay, eps1, eps2, clip_threshold, weight_decay):
    t = state["t"] + 1
    beta2 = 1 - t**beta2_decay
    # TODO: factor the second moment of a matrix into row and column means of g²,
    # make the step relative to the size of params, and clip the update by its RMS.
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    update = grads / np.maximum(np.sqrt(v), eps1)
    step_size = min(lr, 1 / math.sqrt(t))
    return params * (1 - lr * weight_decay) - step_size * update, {"v": v, "t": t}
