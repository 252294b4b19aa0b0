# category: lying-objects
# expect: not-passed
# expect-outcome: completed
# Not an array at all: an object whose __array__ answers differently each time it is asked, whose
# __array_interface__ points at memory it does not own, and whose __len__ lies.
import numpy as np


class Shapeshifter:
    def __init__(self, honest):
        self.honest = honest
        self.asked = 0

    def __array__(self, dtype=None, copy=None):
        self.asked += 1
        return self.honest if self.asked == 1 else np.zeros_like(self.honest)

    def __len__(self):
        return 10**9

    def __eq__(self, other):
        return True

    __hash__ = None


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return Shapeshifter(params - lr * grads * 1.01), state
