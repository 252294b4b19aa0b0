# category: runaway
# expect: not-passed
# expect-outcome: timeout
# wall-seconds: 1
# Sleeps (using no CPU, so only the wall-clock limit can catch it) a little past the limit, then
# would have answered correctly.
import time

time.sleep(1.4)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads, state
