# category: signal
# expect: not-passed
# expect-outcome: completed
# Signals its whole process group, the session, and every process it may signal (pid -1).
import os
import signal


def init_state(params):
    for action in (
        lambda: os.killpg(os.getpgid(0), signal.SIGKILL),
        lambda: os.killpg(0, signal.SIGTERM),
        lambda: os.kill(-1, signal.SIGKILL),
        lambda: os.kill(0, signal.SIGHUP),
    ):
        try:
            action()
        except OSError as exc:
            print("signal:", exc, flush=True)
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads * 3, state
