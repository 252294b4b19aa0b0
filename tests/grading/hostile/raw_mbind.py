# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# mbind(2) sets the NUMA memory policy of a range, another kernel path exploits go through.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(8192)
print("calling mbind", flush=True)
result = libc.syscall(int("__NR_mbind__"), ctypes.addressof(buffer) & ~4095, 4096, 0, None, 0, 0)
print("mbind:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
