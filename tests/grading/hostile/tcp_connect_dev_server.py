# category: network
# expect: not-passed
# expect-outcome: completed
# Phones home over TCP, to the dev server's port and to a port the host listens on. The socket
# module may be missing, so it falls back to libc's socket/connect through ctypes.
import ctypes
import struct

LISTEN_PORT = int("__LISTEN_PORT__")
libc = ctypes.CDLL(None, use_errno=True)


def raw_connect(port):
    fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
    if fd < 0:
        return f"socket refused, errno {ctypes.get_errno()}"
    address = struct.pack("<H", 2) + struct.pack(">H", port) + bytes([127, 0, 0, 1]) + bytes(8)
    if libc.connect(fd, address, len(address)) != 0:
        return f"connect refused, errno {ctypes.get_errno()}"
    libc.write(fd, b"GET /admin/ HTTP/1.0\r\n\r\n", 24)
    return "connected"


def phone_home():
    results = {port: raw_connect(port) for port in (8000, LISTEN_PORT)}
    try:
        import socket

        with socket.create_connection(("127.0.0.1", LISTEN_PORT), timeout=0.3):
            results["socket module"] = "connected"
    except Exception as exc:
        results["socket module"] = repr(exc)
    return results


print(phone_home(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    phone_home()
    return params, state
