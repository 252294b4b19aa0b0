# category: privilege
# expect: not-passed
# expect-outcome: crashed
# The textbook chroot break-out: chroot into a subdirectory while keeping the working directory
# outside it, then walk up with '..' and chroot to what should be the real root.
# The allow-list kills the process at chdir(2), the first call outside it.
import os

os.makedirs("/tmp/descent-hostile-cell", exist_ok=True)
try:
    os.chroot("/tmp/descent-hostile-cell")
except OSError as exc:
    print("chroot:", exc, flush=True)
for _ in range(64):
    os.chdir("..")
try:
    os.chroot(".")
except OSError as exc:
    print("second chroot:", exc, flush=True)
print("root now lists:", os.listdir("/"), "cwd:", os.getcwd(), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
