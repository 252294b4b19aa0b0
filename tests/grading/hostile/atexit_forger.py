# category: forged-output
# expect: not-passed
# expect-outcome: completed|crashed|invalid_output
# Registers exit handlers that write a forged frame to the result descriptor and print a pass.
import atexit
import json
import os
import struct


def forge():
    raw = json.dumps({"status": "passed", "load_error": None, "cases": [], "step_calls": 0}).encode()
    os.write(3, struct.pack(">I", len(raw)) + raw)
    print("PASSED", flush=True)


atexit.register(forge)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
