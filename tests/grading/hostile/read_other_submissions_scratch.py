# category: other-submissions
# expect: not-passed
# expect-outcome: completed
# Hunts for scratch files other submissions left behind (the writer fixture leaves a note).
import glob
import os

for pattern in ("/tmp/*", "/tmp/descent-*", "/tmp/descent-jail-*/*", "/var/tmp/*", "/dev/shm/*"):
    for path in glob.glob(pattern):
        try:
            with open(path) as handle:
                print("other submission's file:", path, handle.read(200), flush=True)
        except OSError:
            pass
print("scratch listing:", os.listdir("/tmp"), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
