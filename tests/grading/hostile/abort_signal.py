# category: crash
# expect: not-passed
# expect-outcome: crashed
# Ends with SIGABRT half-way through the run.
import os


def init_state(params):
    return {"t": 0}


def step(params, grads, state, *, lr):
    state["t"] += 1
    if state["t"] == 3:
        os.abort()
    return params - lr * grads, state
