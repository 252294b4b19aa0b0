"""Cosine progress measured from the first update, as if warmup took no time: (t − 1) / total_steps."""

import math


def init_state(params):
    return {"t": 0}


def scheduled_lr(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    progress = (t - 1) / total_steps
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def step(params, grads, state, *, lr, warmup_steps, total_steps, min_lr):
    t = state["t"] + 1
    return params - scheduled_lr(t, lr, warmup_steps, total_steps, min_lr) * grads, {"t": t}
