# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# io_uring performs I/O (including socket connects) without the usual syscalls a filter sees;
# also bpf, perf_event_open and userfaultfd, all favourites of kernel exploits.
# io_uring_setup(2) is outside the allow-list: the process is killed at the first attempt.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
params_buffer = ctypes.create_string_buffer(120)
print(
    {
        "io_uring_setup": libc.syscall(425, 8, params_buffer),
        "bpf": libc.syscall(321, 0, 0, 0),
        "perf_event_open": libc.syscall(298, 0, 0, -1, -1, 0),
        "userfaultfd": libc.syscall(323, 0),
        "keyctl": libc.syscall(250, 0, 0),
    },
    flush=True,
)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
