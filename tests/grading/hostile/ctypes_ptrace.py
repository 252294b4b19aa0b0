# category: ctypes
# expect: not-passed
# expect-outcome: crashed
# Attaches to the supervisor with ptrace and reads its memory with process_vm_readv.
# ptrace(2) is outside the allow-list: the process is killed at the first attempt.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH, PTRACE_TRACEME = 16, 0
parent = os.getppid()
buffer = ctypes.create_string_buffer(64)


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


local = IoVec(ctypes.cast(buffer, ctypes.c_void_p), 64)
remote = IoVec(0x400000, 64)
print(
    "attach:",
    libc.ptrace(PTRACE_ATTACH, parent, None, None),
    "traceme:",
    libc.ptrace(PTRACE_TRACEME, 0, None, None),
    "vm_readv:",
    libc.syscall(310, parent, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0),
    "kcmp:",
    libc.syscall(312, parent, os.getpid(), 0, 0, 0),
    flush=True,
)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
