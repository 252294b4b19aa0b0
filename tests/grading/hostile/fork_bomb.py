# category: process
# expect: not-passed
# expect-outcome: completed|timeout
# The classic: every process forks forever.
import os

forks = 0
for _ in range(10000):
    try:
        os.fork()
        forks += 1
    except OSError:
        break
print("forks that succeeded:", forks, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
