# category: output-flood
# expect: not-passed
# expect-outcome: output_too_large
# Prints without end, to fill the worker's memory or disk with captured output.


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    while True:
        print("x" * 4096)
