# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# userfaultfd(2): pause the kernel mid-copy, the classic way to win a race in it.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling userfaultfd", flush=True)
result = libc.syscall(int("__NR_userfaultfd__"), 0)
print("userfaultfd:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
