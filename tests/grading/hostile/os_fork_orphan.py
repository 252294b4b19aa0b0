# category: process
# expect: not-passed
# expect-outcome: completed
# Forks a child that detaches and outlives the run, to keep working after grading ends.
import os
import time


def init_state(params):
    try:
        pid = os.fork()
    except OSError as exc:
        print("fork:", exc, flush=True)
        return {}
    if pid == 0:
        os.setsid()
        time.sleep(600)
        os._exit(0)
    return {"child": pid}


def step(params, grads, state, *, lr):
    return params, state
