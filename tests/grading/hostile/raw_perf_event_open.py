# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# perf_event_open(2): performance counters of this or another process.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
attributes = ctypes.create_string_buffer(128)
print("calling perf_event_open", flush=True)
result = libc.syscall(int("__NR_perf_event_open__"), attributes, 0, -1, -1, 0)
print("perf_event_open:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
