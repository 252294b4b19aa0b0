# category: contract
# expect: not-passed
# expect-outcome: completed
# Mutates the gradient it was handed (and tries to reach the trusted problem data through it) so the
# next gradients, or the reference's, are computed from poisoned inputs.
import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    grads[...] = 0.0
    base = grads
    while getattr(base, "base", None) is not None:
        base = base.base
        base[...] = 0.0
    new = params.copy()
    params[...] = np.nan
    return new - lr * grads, state
