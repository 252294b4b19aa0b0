"""Gradient accumulation that never empties its sum after a step."""

import numpy as np


def init_state(params):
    return {"sum": np.zeros_like(params), "count": 0}


def step(params, grads, state, *, lr, accumulation_steps):
    total = state["sum"] + grads
    count = state["count"] + 1
    if count < accumulation_steps:
        return params.copy(), {"sum": total, "count": count}
    return params - lr * (total / count), {"sum": total, "count": 0}
