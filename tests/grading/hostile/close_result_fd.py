# category: forged-output
# expect: not-passed
# expect-outcome: crashed
# Closes the result descriptor, so the harness has nowhere to report; a lenient grader might read
# "no result" as "no error".
import os

os.close(3)


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads, state
