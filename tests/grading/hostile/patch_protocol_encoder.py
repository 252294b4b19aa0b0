# category: forged-output
# expect: not-passed
# expect-outcome: completed|invalid_output
# Patches the frame encoder used to report results so the header also claims a pass, perfect
# scores and no errors.
import sys

protocol = sys.modules.get("grading.sandbox.protocol")
zygote = sys.modules.get("__main__")
if protocol is not None:
    original = protocol.encode_frame

    def forged(header, payload=b""):
        header = dict(header, status="passed", score=1.0, fidelity=1.0, convergence=1.0, verdict="passed")
        for case in header.get("cases", []):
            case["error"] = None
        return original(header, payload)

    protocol.encode_frame = forged
    if zygote is not None and hasattr(zygote, "encode_frame"):
        zygote.encode_frame = forged


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    raise RuntimeError("never computes anything")
