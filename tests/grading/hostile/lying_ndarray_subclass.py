# category: lying-objects
# expect: not-passed
# expect-outcome: completed
# Returns an ndarray subclass that claims equality with anything, rewrites itself when converted,
# and reports a reassuring shape.
import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __float__(self):
        return 0.0

    def tolist(self):
        return [0.0] * self.size


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return np.full(params.shape, 1e300).view(Agreeable), state
