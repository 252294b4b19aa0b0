# category: contract
# expect: not-passed
# expect-outcome: completed
# Returns parameters of the wrong shape: flattened, transposed, padded, a scalar.
import numpy as np


def init_state(params):
    return {"t": 0}


def step(params, grads, state, *, lr):
    t = state["t"] + 1
    shapes = [np.ravel(params), np.append(params, 0.0), np.float64(0.0), params.T.copy()[..., None]]
    return shapes[t % len(shapes)], {"t": t}
