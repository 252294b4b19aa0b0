"""One-cycle with the rate cycled but the momentum held at max_momentum."""

import math

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params), "t": 0}


def anneal(start, end, fraction):
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def step(
    params,
    grads,
    state,
    *,
    lr,
    total_steps,
    pct_start,
    div_factor,
    final_div_factor,
    base_momentum,
    max_momentum,
):
    t = state["t"] + 1
    s = t - 1
    peak = pct_start * total_steps - 1
    start_lr = lr / div_factor
    if s <= peak:
        fraction = s / peak
        rate = anneal(start_lr, lr, fraction)
    else:
        fraction = (s - peak) / (total_steps - 1 - peak)
        rate = anneal(lr, start_lr / final_div_factor, fraction)
    v = max_momentum * state["v"] + grads
    return params - rate * v, {"v": v, "t": t}
