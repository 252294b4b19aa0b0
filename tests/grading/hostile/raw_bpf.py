# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# bpf(2): load a program into the kernel (BPF_PROG_LOAD with an empty attribute block).
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
attributes = ctypes.create_string_buffer(128)
print("calling bpf", flush=True)
result = libc.syscall(int("__NR_bpf__"), 5, attributes, 128)
print("bpf:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
