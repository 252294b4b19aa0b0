"""LARS with the local rate upside down: η·(‖g‖ + λ‖w‖)/‖w‖."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, weight_decay, trust_coefficient):
    weight_norm = np.sqrt(np.sum(params * params))
    grad_norm = np.sqrt(np.sum(grads * grads))
    if weight_norm > 0 and grad_norm > 0:
        local_lr = trust_coefficient * (grad_norm + weight_decay * weight_norm) / weight_norm
    else:
        local_lr = 1.0
    v = beta * state["v"] + lr * local_lr * (grads + weight_decay * params)
    return params - v, {"v": v}
