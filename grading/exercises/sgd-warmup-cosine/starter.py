def init_state(params):
    return {"t": 0}


def step(params, grads, state, *, lr, warmup_steps, total_steps, min_lr):
    t = state["t"] + 1
    # TODO: replace the constant lr by the warmup + cosine schedule evaluated at update t.
    rate = lr
    return params - rate * grads, {"t": t}
