# category: network
# expect: not-passed
# expect-outcome: completed
# Sends the gradient stream out by UDP, which needs no handshake (raw libc calls via ctypes).
import ctypes
import struct

UDP_PORT = int("__UDP_PORT__")
libc = ctypes.CDLL(None, use_errno=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    fd = libc.socket(2, 2, 0)  # AF_INET, SOCK_DGRAM
    if fd < 0:
        print("udp socket refused, errno", ctypes.get_errno(), flush=True)
        return params, state
    payload = grads.tobytes()
    address = struct.pack("<H", 2) + struct.pack(">H", UDP_PORT) + bytes([127, 0, 0, 1]) + bytes(8)
    sent = libc.sendto(fd, payload, len(payload), 0, address, len(address))
    print("udp sent", sent, flush=True)
    return params, state
