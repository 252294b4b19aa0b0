# category: contract
# expect: not-passed
# expect-outcome: completed
# The honest SGD update, returned as complex numbers with a tiny imaginary part: converting it to
# floats would drop the imaginary part silently and pass. It must be rejected as complex.
import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return (params - lr * grads).astype(np.complex128) + 1e-300j, state
