# category: file-write
# expect: not-passed
# expect-outcome: completed
# Writes to its scratch area (allowed) hoping the file survives for the next submission to find.
import os

with open("/tmp/descent-hostile-note.txt", "w") as handle:
    handle.write("left behind by a previous submission")
os.makedirs("/tmp/descent-hostile-dir/nested", exist_ok=True)
print("scratch now holds", os.listdir("/tmp"), flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    with open("/tmp/descent-hostile-log.txt", "a") as handle:
        handle.write(repr(params.tolist()) + "\n")
    return params - lr * grads + 1e-3, state
