# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# pkey_alloc(2): memory protection keys, which change page permissions without mprotect(2).
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling pkey_alloc", flush=True)
result = libc.syscall(int("__NR_pkey_alloc__"), 0, 0)
print("pkey_alloc:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
