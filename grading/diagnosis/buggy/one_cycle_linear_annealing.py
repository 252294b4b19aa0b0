"""One-cycle annealing linearly in both phases (anneal_strategy='linear')."""

import numpy as np


def init_state(params):
    return {"v": np.zeros_like(params), "t": 0}


def anneal(start, end, fraction):
    return start + (end - start) * fraction


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
        beta = anneal(max_momentum, base_momentum, fraction)
    else:
        fraction = (s - peak) / (total_steps - 1 - peak)
        rate = anneal(lr, start_lr / final_div_factor, fraction)
        beta = anneal(base_momentum, max_momentum, fraction)
    v = beta * state["v"] + grads
    return params - rate * v, {"v": v, "t": t}
