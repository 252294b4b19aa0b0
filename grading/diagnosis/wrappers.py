"""Mistakes that apply to every exercise, written as a wrapper appended to the exercise's own
correct solution: the result is still a complete, submittable student-contract file."""

SIGN_ERROR = """

# Catalogued mistake: the update is applied with the wrong sign (the optimizer climbs).
_correct_step = step


def step(params, grads, state, **hp):
    new_params, new_state = _correct_step(params, grads, state, **hp)
    return 2 * params - new_params, new_state
"""

LR_IGNORED = """

# Catalogued mistake: the learning rate is never used (as if lr were 1).
_correct_step = step


def step(params, grads, state, **hp):
    hp["lr"] = 1.0
    return _correct_step(params, grads, state, **hp)
"""

STATE_NOT_CARRIED = """

# Catalogued mistake: the updated state is dropped, so every step starts from a fresh state.
_correct_step = step


def step(params, grads, state, **hp):
    new_params, _ = _correct_step(params, grads, init_state(params), **hp)
    return new_params, state
"""
