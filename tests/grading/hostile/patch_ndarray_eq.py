# category: monkeypatch
# expect: not-passed
# expect-outcome: completed|crashed
# ndarray is a builtin type, so `np.ndarray.__eq__ = ...` is refused; reaching into the type's
# dict through gc gets around that and makes every array equal to everything.
import gc

import numpy as np

try:
    np.ndarray.__eq__ = lambda self, other: True
except TypeError:
    namespace = gc.get_referents(np.ndarray.__dict__)[0]
    namespace["__eq__"] = lambda self, other: np.ones(np.shape(self), dtype=bool)
    namespace["__sub__"] = lambda self, other: np.zeros(np.shape(self))
    namespace["tobytes"] = lambda self, *args: bytes(8 * self.size)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params + 1.0, state
