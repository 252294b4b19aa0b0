# category: signal
# expect: not-passed
# expect-outcome: completed
# Signals another process without kill(2): make it the owner of an async descriptor (F_SETOWN),
# choose the signal (F_SETSIG), then cause I/O. Aimed at the supervisor, at init and (when the test
# names one) at a process of the same unprivileged user, like a submission graded next door.
import ctypes
import os

VICTIM = "__VICTIM_PID__"
libc = ctypes.CDLL(None, use_errno=True)
F_GETFL, F_SETFL, F_SETOWN, F_SETSIG, O_ASYNC, FIOSETOWN, SIGKILL = 3, 4, 8, 10, 0o20000, 0x8901, 9
targets = [os.getppid(), 1] + ([int(VICTIM)] if VICTIM.isdigit() else [])
for target in targets:
    read_end, write_end = os.pipe()
    armed = [
        libc.fcntl(read_end, F_SETOWN, target),
        libc.fcntl(read_end, F_SETSIG, SIGKILL),
        libc.fcntl(read_end, F_SETFL, libc.fcntl(read_end, F_GETFL) | O_ASYNC),
    ]
    os.write(write_end, b"x")
    owner = ctypes.c_int(target)
    armed.append(libc.ioctl(read_end, FIOSETOWN, ctypes.byref(owner)))
    os.write(write_end, b"y")
    print("SIGIO at", target, armed, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
