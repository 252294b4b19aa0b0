import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta1, beta2, weight_decay):
    m = beta2 * state["m"] + (1 - beta2) * grads
    # TODO: the step is the *sign* of an interpolation between the old momentum and the
    # gradient (weights beta1 and 1 - beta1), with decoupled weight decay added to it.
    new_params = params - lr * m
    return new_params, {"m": m}
