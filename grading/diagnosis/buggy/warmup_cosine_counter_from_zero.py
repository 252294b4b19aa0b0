"""Warmup + cosine evaluated at t − 1: the counter is read before it is incremented."""

import math


def init_state(params):
    return {"t": 0}


def scheduled_lr(t, lr, warmup_steps, total_steps, min_lr):
    if t <= warmup_steps:
        return lr * t / warmup_steps
    progress = (t - warmup_steps - 1) / (total_steps - warmup_steps)
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def step(params, grads, state, *, lr, warmup_steps, total_steps, min_lr):
    rate = scheduled_lr(state["t"], lr, warmup_steps, total_steps, min_lr)
    return params - rate * grads, {"t": state["t"] + 1}
