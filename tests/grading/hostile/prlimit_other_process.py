# category: signal
# expect: not-passed
# expect-outcome: completed|crashed
# Changes another process's resource limits (prlimit64) and priority: a CPU limit of zero kills it.
# In its own PID namespace the parent's pid reads as 0, which means "myself" to prlimit64: the
# submission may end up killing only itself (crashed), and nothing outside.
import ctypes
import os

VICTIM = "__VICTIM_PID__"
libc = ctypes.CDLL(None, use_errno=True)
RLIMIT_CPU, SYS_PRLIMIT64, SYS_SETPRIORITY = 0, 302, 141
zero = (ctypes.c_ulong * 2)(0, 0)
targets = [os.getppid(), 1] + ([int(VICTIM)] if VICTIM.isdigit() else [])
for target in targets:
    print("prlimit", target, libc.syscall(SYS_PRLIMIT64, target, RLIMIT_CPU, zero, None), flush=True)
    print("setpriority", target, libc.syscall(SYS_SETPRIORITY, 0, target, 19), flush=True)
print("renice nobody:", libc.syscall(SYS_SETPRIORITY, 2, 65534, 19), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
