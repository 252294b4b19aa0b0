# category: memory
# expect: not-passed
# expect-outcome: memory
# Asks for ten gigabytes at once.
buffer = bytearray(10**10)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
