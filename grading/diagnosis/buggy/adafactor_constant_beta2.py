"""Adafactor with Adam's constant β2 = 0.999 in place of the schedule 1 − t^τ."""

import math

import numpy as np


def init_state(params):
    if params.ndim >= 2:
        rows, cols = params.shape[:-1], params.shape[:-2] + params.shape[-1:]
        return {"row": np.zeros(rows), "col": np.zeros(cols), "t": 0}
    return {"v": np.zeros_like(params), "t": 0}


def rms(x):
    return np.sqrt(np.mean(x * x))


def step(params, grads, state, *, lr, beta2_decay, eps1, eps2, clip_threshold, weight_decay):
    t = state["t"] + 1
    beta2 = 0.999
    alpha = max(eps2, rms(params)) * min(lr, 1 / math.sqrt(t))
    if params.ndim >= 2:
        row = beta2 * state["row"] + (1 - beta2) * np.mean(grads * grads, axis=-1)
        col = beta2 * state["col"] + (1 - beta2) * np.mean(grads * grads, axis=-2)
        scale = np.maximum(np.mean(row, axis=-1), eps1)
        v_hat = row[..., :, None] * col[..., None, :] / scale[..., None, None]
        new_state = {"row": row, "col": col, "t": t}
    else:
        v_hat = beta2 * state["v"] + (1 - beta2) * grads * grads
        new_state = {"v": v_hat, "t": t}
    update = grads / np.maximum(np.sqrt(v_hat), eps1)
    update = update / max(1.0, rms(update) / clip_threshold)
    return params * (1 - lr * weight_decay) - alpha * update, new_state
