# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# modify_ldt(2) writes the process's own segment table (x86-64; absent elsewhere): a
# favourite step of kernel exploits. Asks to read it, by number, around any wrapper.
# Outside the allow-list: the kernel kills the process at the call.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
print("calling modify_ldt", flush=True)
result = libc.syscall(int("__NR_modify_ldt__"), 0, None, 0)
print("modify_ldt:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
