# category: ctypes
# expect: not-passed
# expect-outcome: load_error|crashed
# cffi in ABI mode reaches syscall(2) like ctypes does. It is not loaded in the sandbox (and the
# empty root has no file to import it from); were it there, the filter would kill the process.
import cffi

ffi = cffi.FFI()
ffi.cdef("long syscall(long number, ...);")
libc = ffi.dlopen(None)
print("memfd_secret:", libc.syscall(int("__NR_memfd_secret__"), ffi.cast("int", 0)), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
