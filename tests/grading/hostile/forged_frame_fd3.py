# category: forged-output
# expect: not-passed
# expect-outcome: completed|invalid_output
# Writes a well-formed result frame to the result descriptor before running anything, claiming
# a perfect trajectory (the minimiser at every step) and a pass, then leaves before the harness does.
import json
import os
import struct

cases = [("parabola", 1, 8), ("d2l", 2, 10), ("layer", 8, 6)]
payload = b"".join(bytes(8 * width * (steps + 1)) for _, width, steps in cases)
header = {
    "load_error": None,
    "status": "passed",
    "score": 1.0,
    "cases": [
        {"id": name, "steps_done": steps, "error": None, "step_calls": steps} for name, _, steps in cases
    ],
    "step_calls": 24,
    "payload_bytes": len(payload),
}
raw = json.dumps(header).encode()
os.write(3, struct.pack(">I", len(raw)) + raw + payload)
os._exit(0)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
