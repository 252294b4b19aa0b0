# category: memory
# expect: not-passed
# expect-outcome: memory
# Grows memory in steps of a few megabytes until something gives.
hoard = []


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    while True:
        hoard.append(bytes(4 * 1024 * 1024))
