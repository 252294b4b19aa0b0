# category: crash
# expect: not-passed
# expect-outcome: completed|crashed
# Raises KeyboardInterrupt, which `except Exception` does not catch.


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    raise KeyboardInterrupt
