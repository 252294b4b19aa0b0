# category: contract
# expect: not-passed
# expect-outcome: completed
# Returns NaN and infinities, which compare false with everything and may slip past a sloppy check.
import numpy as np


def init_state(params):
    return {"t": 0}


def step(params, grads, state, *, lr):
    t = state["t"] + 1
    poison = np.nan if t % 2 else np.inf
    return np.full_like(params, poison), {"t": t}
