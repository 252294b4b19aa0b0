"""LARS with a local rate for every coordinate: η|w_i|/(|g_i| + λ|w_i|)."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params)}


def step(params, grads, state, *, lr, beta, weight_decay, trust_coefficient):
    weight_size, grad_size = np.abs(params), np.abs(grads)
    both = (weight_size > 0) & (grad_size > 0)
    denominator = np.where(both, grad_size + weight_decay * weight_size, 1.0)
    local_lr = np.where(both, trust_coefficient * weight_size / denominator, 1.0)
    v = beta * state["v"] + lr * local_lr * (grads + weight_decay * params)
    return params - v, {"v": v}
