# category: secrets
# expect: not-passed
# expect-outcome: completed
# os.environ may have been cleared, but libc's `environ` and the initial stack still hold the
# strings the process was started with: walks both looking for anything secret-shaped.
import ctypes

libc = ctypes.CDLL(None)
environ = ctypes.POINTER(ctypes.c_char_p).in_dll(libc, "environ")
index, found = 0, []
while environ[index] is not None and index < 500:
    found.append(environ[index])
    index += 1
print("environ:", found, flush=True)
getenv = libc.getenv
getenv.restype = ctypes.c_char_p
print(
    "getenv:",
    [getenv(name) for name in (b"SECRET_KEY", b"DESCENT_CANARY_SECRET", b"DATABASE_URL")],
    flush=True,
)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params * 0.9, state
