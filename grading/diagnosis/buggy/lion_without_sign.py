"""Lion without the sign: the step follows the interpolated momentum itself."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta1, beta2, weight_decay):
    direction = beta1 * state["m"] + (1 - beta1) * grads
    new_params = params - lr * (direction + weight_decay * params)
    m = beta2 * state["m"] + (1 - beta2) * grads
    return new_params, {"m": m}
