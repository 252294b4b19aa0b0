import numpy as np


def init_state(params):
    return {"sum_sq": np.zeros_like(params)}


def step(params, grads, state, *, lr, eps):
    sum_sq = state["sum_sq"] + grads * grads
    return params - lr * grads / (np.sqrt(sum_sq) + eps), {"sum_sq": sum_sq}
