import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, eps):
    v = beta * state["v"] + (1 - beta) * grads * grads
    # TODO: scale the step by the root-mean-square of recent gradients.
    return params - lr * grads, {"v": v}
