# category: runaway
# expect: not-passed
# expect-outcome: timeout
# wall-seconds: 1.5
# Burns CPU inside C code, where Python-level timeouts never get a chance to run.
import numpy as np

big = np.random.default_rng(0).normal(size=(1500, 1500))


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    while True:
        np.linalg.inv(big @ big.T)
