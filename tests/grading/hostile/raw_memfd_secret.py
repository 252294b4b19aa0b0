# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# memfd_secret(2): memory removed from the kernel's own direct map, which the supervisor
# could not even inspect.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling memfd_secret", flush=True)
result = libc.syscall(int("__NR_memfd_secret__"), 0)
print("memfd_secret:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
