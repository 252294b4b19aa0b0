# category: ctypes
# expect: not-passed
# expect-outcome: completed
# Code without a file: an anonymous memfd, machine code written into it, then mapped executable
# and called. memfd_create(2) is refused with EPERM, and so is any PROT_EXEC mapping; the machine
# code is a bare `ret` either way, so nothing runs even on a machine where it got through.
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
PROT_READ, PROT_WRITE, PROT_EXEC, MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS = 1, 2, 4, 1, 2, 0x20
fd = libc.syscall(int("__NR_memfd_create__"), b"code", 0)
print("memfd_create:", fd, "errno", ctypes.get_errno(), flush=True)
if fd >= 0:
    libc.write(fd, b"\xc3" * 4096, 4096)
    mapped = libc.mmap(None, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0)
    print("memfd mapped executable:", mapped not in (None, 2**64 - 1), flush=True)
anonymous = libc.mmap(None, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
print("anonymous rwx mapping:", anonymous not in (None, 2**64 - 1), "errno", ctypes.get_errno(), flush=True)
plain = libc.mmap(None, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
print(
    "mprotect to executable:", libc.mprotect(ctypes.c_void_p(plain), 4096, PROT_READ | PROT_EXEC), flush=True
)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
