# category: file-write
# expect: not-passed
# expect-outcome: completed
# Plants files where the host would find them: the project, the root, the host's /tmp, its own dir.
import os

PROJECT = "__PROJECT_ROOT__"
targets = [
    os.path.join(PROJECT, "descent-pwned.txt"),
    os.path.join(PROJECT, "grading", "descent-pwned.py"),
    "/descent-pwned.txt",
    "/etc/descent-pwned",
    "../descent-pwned.txt",
    "../../descent-pwned.txt",
    os.path.join(os.getcwd(), "..", "descent-pwned.txt"),
]
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("pwned")
        print("wrote", target, flush=True)
    except OSError as exc:
        print("refused", target, exc, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
