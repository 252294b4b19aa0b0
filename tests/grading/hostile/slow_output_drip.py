# category: output-flood
# expect: not-passed
# expect-outcome: timeout
# wall-seconds: 1.5
# Prints a little, slowly and forever, so that a supervisor that resets its timer on output never
# ends the run.
import time


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    while True:
        print(".", end="", flush=True)
        time.sleep(0.05)
