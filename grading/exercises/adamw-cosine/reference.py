import math

import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def cosine_lr(t, lr, total_steps, min_lr):
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * (t - 1) / total_steps)) / 2


def step(params, grads, state, *, lr, beta1, beta2, eps, weight_decay, total_steps, min_lr):
    t = state["t"] + 1
    lr_t = cosine_lr(t, lr, total_steps, min_lr)
    decayed = params * (1 - lr_t * weight_decay)
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return decayed - lr_t * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}
