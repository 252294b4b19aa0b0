# category: memory
# expect: not-passed
# expect-outcome: memory
# A NumPy array of eight gigabytes, touched so that lazy allocation cannot save it.
import numpy as np


def init_state(params):
    return {"cache": np.ones(10**9)}


def step(params, grads, state, *, lr):
    return params, state
