# category: process
# expect: not-passed
# expect-outcome: completed
# Background threads that keep computing (and printing) after step returns.
import threading
import time

started = 0


def worker():
    while True:
        time.sleep(0.01)


for _ in range(64):
    try:
        threading.Thread(target=worker, daemon=True).start()
        started += 1
    except RuntimeError as exc:
        print("thread:", exc, flush=True)
        break
print("threads started:", started, flush=True)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
