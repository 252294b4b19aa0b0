# category: file-read
# expect: not-passed
# expect-outcome: completed
# Raw devices: physical memory, kernel memory, disks.
for path in ("/dev/mem", "/dev/kmem", "/dev/port", "/dev/sda", "/dev/vda", "/dev/nvme0n1"):
    try:
        with open(path, "rb") as handle:
            print(path, handle.read(64), flush=True)
    except OSError as exc:
        print(path, exc, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr, state
