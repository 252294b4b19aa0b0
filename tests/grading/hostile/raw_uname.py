# category: ctypes
# expect: not-passed
# expect-outcome: completed
# uname(2): the host's kernel release (which exploit to pick) and its name, by number.
# Refused with EPERM (a library may ask and must get an error back), so the run goes on.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
name = ctypes.create_string_buffer(65 * 6)
print("calling uname", flush=True)
result = libc.syscall(int("__NR_uname__"), name)
print("uname:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
