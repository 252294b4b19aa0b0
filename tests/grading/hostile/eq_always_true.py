# category: lying-objects
# expect: not-passed
# expect-outcome: completed
# A float subclass equal to everything and close to everything, returned in a list, plus a state
# that claims to be every other state.
import numpy as np


class Always(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return Always(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return Always(0.0)

    def __lt__(self, other):
        return True

    __le__ = __lt__
    __hash__ = float.__hash__


class AnyState(dict):
    def __eq__(self, other):
        return True

    __hash__ = None


def init_state(params):
    return AnyState()


def step(params, grads, state, *, lr):
    values = [Always(v) for v in np.ravel(params) * 7.0]
    return np.array(values).reshape(params.shape), state
