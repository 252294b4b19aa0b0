# category: ctypes
# expect: not-passed
# expect-outcome: completed
# fork, vfork, clone and clone3 by raw syscall number, around any Python-level wrapper.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SIGCHLD = 17
results = {
    "fork": libc.syscall(57),
    "vfork": libc.syscall(58),
    "clone": libc.syscall(56, SIGCHLD, 0, 0, 0, 0),
    "clone3": libc.syscall(435, 0, 0),
}
if 0 in results.values():
    libc.syscall(60, 0)  # a child that got through: exit at once (SYS_exit)
print(results, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
