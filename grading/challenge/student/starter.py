import numpy as np

# Your optimizer for the challenge. `step` is called once per parameter array and step, with that
# array's own state. It gets no hyperparameters: whatever it needs, it chooses itself, and the same
# code runs on every problem of the suite.


def init_state(params):
    return {"velocity": np.zeros_like(params)}


def step(params, grads, state):
    # Plain SGD with momentum, lr 0.001 and beta 0.9: it reaches some targets, slowly. Do better.
    velocity = 0.9 * state["velocity"] + grads
    return params - 0.001 * velocity, {"velocity": velocity}
