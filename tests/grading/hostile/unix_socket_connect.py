# category: network
# expect: not-passed
# expect-outcome: completed
# Unix sockets need no network: an abstract name the host listens on, and well-known socket paths.
import ctypes
import struct

ABSTRACT = "__ABSTRACT_SOCKET__"
libc = ctypes.CDLL(None, use_errno=True)


def connect_unix(name: bytes) -> str:
    fd = libc.socket(1, 1, 0)  # AF_UNIX, SOCK_STREAM
    if fd < 0:
        return f"socket refused, errno {ctypes.get_errno()}"
    address = struct.pack("<H", 1) + name
    if libc.connect(fd, address, len(address)) != 0:
        return f"connect refused, errno {ctypes.get_errno()}"
    return "connected"


for name in (b"\0" + ABSTRACT.encode(), b"/var/run/docker.sock", b"/run/systemd/private"):
    print(name, connect_unix(name), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads / 2, state
