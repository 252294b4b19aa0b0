# category: crash
# expect: not-passed
# expect-outcome: crashed|completed|timeout
# Lifts the recursion limit and recurses until the C stack overflows (on a loaded machine the
# CPU limit may end it first, which is contained too).
import sys

sys.setrecursionlimit(10**8)


def descend(depth):
    return descend(depth + 1) + 1


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    descend(0)
    return params, state
