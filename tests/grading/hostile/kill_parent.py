# category: signal
# expect: not-passed
# expect-outcome: completed
# Kills the process that supervises it, hoping the grade is lost or defaults to a pass.
import os
import signal


def init_state(params):
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
        try:
            os.kill(os.getppid(), sig)
        except OSError as exc:
            print("kill parent:", exc, flush=True)
    return {}


def step(params, grads, state, *, lr):
    return params, state
