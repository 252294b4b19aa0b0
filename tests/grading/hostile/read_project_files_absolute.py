# category: file-read
# expect: not-passed
# expect-outcome: completed
# Reads the project's own sources, settings and reference optimizers by absolute path.
import os

PROJECT = "__PROJECT_ROOT__"
found = []
for relative in (
    "config/settings.py",
    "optimlab/optimizers/__init__.py",
    "grading/exercises/adam/reference.py",
    ".env",
):
    try:
        with open(os.path.join(PROJECT, relative)) as handle:
            found.append(handle.read(300))
    except OSError as exc:
        found.append(f"{relative}: {exc}")
for root in ("/srv", "/app", "/opt", "/home", "/root", "/var/www"):
    try:
        found.append(str(os.listdir(root)))
    except OSError:
        pass
print(found, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params + lr * grads, state
