"""Adafactor keeping the whole second moment of a matrix, as for a vector: nothing is factored."""

import math

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params), "t": 0}


def rms(x):
    return np.sqrt(np.mean(x * x))


def step(params, grads, state, *, lr, beta2_decay, eps1, eps2, clip_threshold, weight_decay):
    t = state["t"] + 1
    beta2 = 1 - t**beta2_decay
    alpha = max(eps2, rms(params)) * min(lr, 1 / math.sqrt(t))
    v_hat = beta2 * state["v"] + (1 - beta2) * grads * grads
    new_state = {"v": v_hat, "t": t}
    update = grads / np.maximum(np.sqrt(v_hat), eps1)
    update = update / max(1.0, rms(update) / clip_threshold)
    return params * (1 - lr * weight_decay) - alpha * update, new_state
