# category: file-read
# expect: not-passed
# expect-outcome: completed
# Guesses project files relative to where the submission thinks it lives and prints what it finds.
import os

import numpy as np

here = os.path.dirname(os.path.abspath(globals().get("__file__", "submission.py")))
stolen = {}
for guess in ("../config/settings.py", "../../config/settings.py", "../manage.py", "../.env", "../../.env"):
    path = os.path.normpath(os.path.join(here, guess))
    try:
        with open(path) as handle:
            stolen[path] = handle.read(200)
    except OSError as exc:
        stolen[path] = type(exc).__name__
print(stolen, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return np.array(params), state
