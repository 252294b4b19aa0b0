# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# landlock_create_ruleset(2), asking for the Landlock ABI version: a kernel interface a
# submission has no use for.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling landlock_create_ruleset", flush=True)
result = libc.syscall(int("__NR_landlock_create_ruleset__"), None, 0, 1)
print("landlock_create_ruleset:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
