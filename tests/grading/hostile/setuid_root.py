# category: privilege
# expect: not-passed
# expect-outcome: completed
# Asks to become root again, through every identity call there is.
import os

attempts = {}
for name, action in (
    ("setuid", lambda: __import__("os").setuid(0)),
    ("seteuid", lambda: os.seteuid(0)),
    ("setresuid", lambda: os.setresuid(0, 0, 0)),
    ("setgid", lambda: os.setgid(0)),
    ("setgroups", lambda: os.setgroups([0])),
):
    try:
        action()
        attempts[name] = "succeeded"
    except OSError as exc:
        attempts[name] = str(exc)
print(attempts, "uid", os.getuid(), "euid", os.geteuid(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
