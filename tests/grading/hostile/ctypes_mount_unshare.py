# category: privilege
# expect: not-passed
# expect-outcome: crashed
# Tries to rebuild a view of the host: new namespaces, then mount proc, the root disk, a bind mount.
# mount(2) is outside the allow-list: the process is killed at the first attempt.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID = 0x10000000, 0x00020000, 0x20000000
attempts = {
    "unshare": libc.unshare(CLONE_NEWUSER | CLONE_NEWNS),
    "unshare_syscall": libc.syscall(272, CLONE_NEWPID),
    "setns": libc.syscall(308, 3, 0),
}
os.makedirs("/tmp/descent-hostile-mnt", exist_ok=True)
for source, fstype in ((b"proc", b"proc"), (b"/dev/sda1", b"ext4"), (b"/", None), (b"sysfs", b"sysfs")):
    attempts[source] = libc.mount(
        source, b"/tmp/descent-hostile-mnt", fstype, 4096 if fstype is None else 0, None
    )
attempts["pivot_root"] = libc.syscall(155, b"/tmp", b"/tmp/descent-hostile-mnt")
try:
    attempts["listing"] = os.listdir("/tmp/descent-hostile-mnt")
except OSError as exc:
    attempts["listing"] = str(exc)
print(attempts, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
