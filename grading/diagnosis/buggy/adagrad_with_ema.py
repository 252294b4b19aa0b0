"""AdaGrad with a moving average of g**2 (beta hard-coded to 0.9): that is RMSProp."""

import numpy as np


def init_state(params):
    return {"sum_sq": np.zeros_like(params)}


def step(params, grads, state, *, lr, eps):
    avg = 0.9 * state["sum_sq"] + 0.1 * grads * grads
    return params - lr * grads / (np.sqrt(avg) + eps), {"sum_sq": avg}
