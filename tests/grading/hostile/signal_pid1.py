# category: signal
# expect: not-passed
# expect-outcome: completed
# Signals init and low pids (sshd, the web server) directly, and through tgkill by syscall number.
import ctypes
import os
import signal

libc = ctypes.CDLL(None, use_errno=True)
for pid in (1, 2, 100, 300):
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError as exc:
        print(pid, exc, flush=True)
print("tgkill:", libc.syscall(234, 1, 1, signal.SIGKILL), "pidfd_open:", libc.syscall(434, 1, 0), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
