# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# keyctl(2): the kernel keyring, shared beyond the process.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling keyctl", flush=True)
result = libc.syscall(int("__NR_keyctl__"), 0, -3, 0)
print("keyctl:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
