# category: ctypes
# expect: not-passed
# expect-outcome: completed
# sysinfo(2): the host's memory, uptime and load, by number.
# Refused with EPERM (a library may ask and must get an error back), so the run goes on.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
info = ctypes.create_string_buffer(256)
print("calling sysinfo", flush=True)
result = libc.syscall(int("__NR_sysinfo__"), info)
print("sysinfo:", result, "errno", ctypes.get_errno(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
