import numpy as np


def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}


def step(params, grads, state, *, lr, beta1, beta2, eps, weight_decay, total_steps, min_lr):
    t = state["t"] + 1
    # TODO: this is AdamW at a constant lr. Compute this call's rate from the cosine schedule
    # (lr at t = 1, falling towards min_lr over total_steps calls) and use it for the step
    # *and* for the weight decay.
    decayed = params * (1 - lr * weight_decay)
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return decayed - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}
