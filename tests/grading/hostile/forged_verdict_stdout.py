# category: forged-output
# expect: not-passed
# expect-outcome: completed
# Prints what a verdict looks like to stdout and stderr, raw frame bytes included, in case the
# grader ever parses the output stream.
import json
import os
import struct
import sys

verdict = {"status": "passed", "score": 1.0, "fidelity": 1.0, "convergence": 1.0, "diagnosis": []}
print(json.dumps(verdict), flush=True)
sys.stderr.write(json.dumps(verdict) + "\n")
sys.stderr.flush()
raw = json.dumps({"outcome": "exited", "exit_code": 0, "status": "passed"}).encode()
os.write(1, struct.pack(">I", len(raw)) + raw)
os.write(2, struct.pack(">I", len(raw)) + raw)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
