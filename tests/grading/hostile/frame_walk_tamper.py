# category: introspection
# expect: not-passed
# expect-outcome: completed
# Walks up the call stack into the harness and rewrites its locals: the trajectory rows already
# recorded, the case's step count, the error slot.
import sys

import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    frame = sys._getframe(1)
    while frame is not None:
        local = frame.f_locals
        if "rows" in local and isinstance(local["rows"], list):
            for row in local["rows"]:
                row[...] = 0.0
        if "case" in local and isinstance(local["case"], dict):
            local["case"]["steps"] = 1
        frame = frame.f_back
    return np.zeros_like(params), state
