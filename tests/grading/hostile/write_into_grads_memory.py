# category: ctypes
# expect: not-passed
# expect-outcome: completed|crashed
# Uses ctypes to write into memory it was never handed: the bytes of an immutable float constant
# and the buffer behind a read-only view, to corrupt values the harness relies on.
import ctypes
import sys

import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    frozen = np.array(grads)
    frozen.flags.writeable = False
    ctypes.memset(frozen.ctypes.data, 0, frozen.nbytes)
    one = 1.0
    ctypes.c_double.from_address(id(one) + sys.getsizeof(0.0) - 8).value = 0.0
    return params * 2.0, state
