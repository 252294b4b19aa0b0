"""Lion that updates the stored momentum first and steps along its sign (β2 shapes the step)."""

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta1, beta2, weight_decay):
    m = beta2 * state["m"] + (1 - beta2) * grads
    new_params = params - lr * (np.sign(m) + weight_decay * params)
    return new_params, {"m": m}
