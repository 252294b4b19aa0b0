# category: runaway
# expect: not-passed
# expect-outcome: timeout
# wall-seconds: 1.5
# Never returns from step.


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    while True:
        pass
