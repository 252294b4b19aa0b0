# category: file-read
# expect: not-passed
# expect-outcome: completed
# Maps the filesystem it can see, from the root and from the working directory upwards.
import os

import numpy as np

seen = []
for top in ("/", os.getcwd(), "..", "../..", "/proc", "/sys", "/dev"):
    try:
        for root, dirs, files in os.walk(top):
            seen.append((root, len(dirs), len(files)))
            if len(seen) > 200:
                break
    except OSError:
        pass
print(seen, flush=True)


def init_state(params):
    return {"seen": len(seen)}


def step(params, grads, state, *, lr):
    return params - lr * np.sign(grads), state
