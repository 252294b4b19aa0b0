# category: forged-output
# expect: not-passed
# expect-outcome: crashed|invalid_output|completed
# Shuffles descriptors: points the result descriptor at stdout, then sprays a forged frame at
# every descriptor number it might have inherited from the supervisor.
import json
import os
import struct

raw = json.dumps(
    {"status": "passed", "score": 1.0, "load_error": None, "cases": [], "step_calls": 0}
).encode()
frame = struct.pack(">I", len(raw)) + raw
for fd in range(4, 256):
    try:
        os.write(fd, frame)
        print("wrote to inherited fd", fd, flush=True)
    except OSError:
        pass
os.dup2(1, 3)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
