# category: process
# expect: not-passed
# expect-outcome: completed
# os.system and os.popen hand a command to /bin/sh (which needs fork and exec).
import os


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    try:
        status = os.system("cat /etc/passwd; nohup sleep 600 &")
        print("system returned", status, flush=True)
    except OSError as exc:
        print("system:", exc, flush=True)
    return params + lr * grads, state
