# category: secrets
# expect: not-passed
# expect-outcome: completed
# The environment of init, of the parent and of itself, plus memory maps, through /proc.
import os

for path in (
    "/proc/1/environ",
    "/proc/self/environ",
    f"/proc/{os.getppid()}/environ",
    "/proc/self/maps",
    f"/proc/{os.getppid()}/cmdline",
    "/proc/1/root/etc/passwd",
):
    try:
        with open(path, "rb") as handle:
            print(path, handle.read(4096), flush=True)
    except OSError as exc:
        print(path, exc, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
