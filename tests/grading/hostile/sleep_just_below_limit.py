# category: runaway
# expect: not-passed
# expect-outcome: completed
# wall-seconds: 2
# Dawdles for most of the wall-clock limit but finishes: it must be graded normally (as wrong).
import time

time.sleep(1.2)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads * 0.9, state
