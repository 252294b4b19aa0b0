# category: ctypes
# expect: not-passed
# expect-outcome: completed
# Skips libc's wrappers and calls socket(2), socketpair(2) and connect(2) by syscall number.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SYS_SOCKET, SYS_CONNECT, SYS_SOCKETPAIR = 41, 42, 53
fd = libc.syscall(SYS_SOCKET, 2, 1, 0)
pair = (ctypes.c_int * 2)()
print("socket:", fd, "socketpair:", libc.syscall(SYS_SOCKETPAIR, 1, 1, 0, pair), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return -params, state
