# category: forged-output
# expect: not-passed
# expect-outcome: output_too_large|invalid_output
# Writes its own result frame whose header promises gigabytes and whose payload is as large as the
# pipe will take, then exits before the harness can answer.
import json
import os
import struct

header = json.dumps({"load_error": None, "cases": [], "step_calls": 0, "payload_bytes": 2**40}).encode()
os.write(3, struct.pack(">I", len(header)) + header)
block = bytes(1 << 20)
try:
    for _ in range(64):
        os.write(3, block)
except OSError:
    pass
os._exit(0)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
