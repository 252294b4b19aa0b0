# category: contract
# expect: not-passed
# expect-outcome: completed|memory
# Tries to crash the trusted parser with a result far bigger than the plan: a broadcast view that
# claims a billion elements while using no memory, then a merely large array.
import numpy as np


def init_state(params):
    return {"t": 0, "junk": np.broadcast_to(np.float64(1.0), (10**9,))}


def step(params, grads, state, *, lr):
    state["t"] += 1
    if state["t"] == 1:
        return np.broadcast_to(np.float64(0.0), (10**9,) + params.shape), state
    return np.zeros((2000, 2000)), state
