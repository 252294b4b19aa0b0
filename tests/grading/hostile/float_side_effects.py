# category: lying-objects
# expect: not-passed
# expect-outcome: completed|invalid_output
# The state holds numbers whose __float__ and __index__ write a forged result frame to fd 3 at the
# moment the harness converts them.
import json
import os
import struct


class Trap(float):
    def __float__(self):
        header = json.dumps({"load_error": None, "cases": [], "step_calls": 1, "status": "passed"}).encode()
        try:
            os.write(3, struct.pack(">I", len(header)) + header)
        except OSError:
            pass
        return 0.0

    __index__ = __float__


def init_state(params):
    return {"t": Trap(0.0)}


def step(params, grads, state, *, lr):
    return [Trap(value) for value in params.ravel()], state
