# category: crash
# expect: not-passed
# expect-outcome: crashed
# Dereferences a null pointer inside step: the process dies with SIGSEGV mid-run.
import ctypes


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    ctypes.string_at(0)
    return params - lr * grads, state
