# category: file-write
# expect: not-passed
# expect-outcome: crashed
# Builds doors: symlinks and hard links out of scratch, and device nodes for raw disk access.
# symlink(2) is outside the allow-list: the process is killed at the first attempt.
import os
import stat

attempts = {}
for name, action in (
    ("symlink", lambda: os.symlink("/proc/1/root", "/tmp/descent-hostile-root")),
    ("hardlink", lambda: os.link("/etc/passwd", "/tmp/descent-hostile-passwd")),
    ("mknod", lambda: os.mknod("/tmp/descent-hostile-sda", stat.S_IFBLK | 0o600, os.makedev(8, 0))),
    ("mkfifo", lambda: os.mkfifo("/tmp/descent-hostile-fifo")),
):
    try:
        action()
        attempts[name] = "made"
    except OSError as exc:
        attempts[name] = str(exc)
try:
    attempts["follow"] = os.listdir("/tmp/descent-hostile-root")
except OSError as exc:
    attempts["follow"] = str(exc)
print(attempts, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads * 2, state
