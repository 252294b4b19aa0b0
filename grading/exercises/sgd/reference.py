def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads, state
