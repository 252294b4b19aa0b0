"""AdaGrad accumulating |g| instead of g**2."""

import numpy as np


def init_state(params):
    return {"sum_sq": np.zeros_like(params)}


def step(params, grads, state, *, lr, eps):
    total = state["sum_sq"] + np.abs(grads)
    return params - lr * grads / (np.sqrt(total) + eps), {"sum_sq": total}
