"""Grading whole submissions through the sandbox: references pass, starters fail, both coding
styles are accepted, conventions are named, cheaters and crashes get the right verdict."""

import textwrap

import pytest

from grading.exercises import EXERCISES, get_exercise
from grading.grader import grade_source
from grading.sandbox.client import Sandbox
from grading.verdict import Verdict


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as running:
        yield running


def grade(sandbox, slug, source):
    return grade_source(slug, textwrap.dedent(source), sandbox=sandbox)


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_reference_scores_full_marks(sandbox, slug):
    verdict = grade_source(slug, get_exercise(slug).reference_source, sandbox=sandbox)
    assert verdict.status == "passed", verdict.message
    assert verdict.score == 1.0
    assert verdict.step_calls > 300
    assert all(p["fidelity"] == 1.0 for p in verdict.problems)


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_starter_runs_but_does_not_pass(sandbox, slug):
    verdict = grade_source(slug, get_exercise(slug).starter_source, sandbox=sandbox)
    assert verdict.status == "failed", verdict.message
    assert verdict.score < 1.0


def test_verdict_round_trips_through_a_dict(sandbox):
    verdict = grade_source("adam", get_exercise("adam").starter_source, sandbox=sandbox)
    assert Verdict.from_dict(verdict.to_dict()) == verdict


ADAM_IN_PLACE = """
    import numpy as np

    def init_state(params):
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def step(params, grads, state, *, lr, beta1, beta2, eps):
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= beta1
        m += (1 - beta1) * grads
        v *= beta2
        v += (1 - beta2) * grads**2
        params -= lr / (1 - beta1**t) * m / (np.sqrt(v) / np.sqrt(1 - beta2**t) + eps)
        return params, state
"""

MOMENTUM_IN_PLACE = """
    import numpy as np

    def init_state(params):
        return {"v": np.zeros_like(params)}

    def step(params, grads, state, *, lr, beta):
        state["v"] *= beta
        state["v"] += grads
        params -= lr * state["v"]
        return params, state
"""


@pytest.mark.parametrize(("slug", "source"), [("adam", ADAM_IN_PLACE), ("momentum", MOMENTUM_IN_PLACE)])
def test_in_place_style_passes(sandbox, slug, source):
    verdict = grade(sandbox, slug, source)
    assert verdict.status == "passed", verdict.message


def test_functional_style_with_lists_in_state_passes(sandbox):
    verdict = grade(
        sandbox,
        "momentum",
        """
        import numpy as np

        def init_state(params):
            return {"v": [0.0] * params.size}

        def step(params, grads, state, *, lr, beta):
            v = beta * np.array(state["v"]).reshape(params.shape) + grads
            return params - lr * v, {"v": v.ravel().tolist()}
        """,
    )
    assert verdict.status == "passed", verdict.message


def test_lr_inside_momentum_agrees_at_constant_lr_but_fails_when_lr_changes(sandbox):
    verdict = grade(
        sandbox,
        "momentum",
        """
        import numpy as np

        def init_state(params):
            return {"m": np.zeros_like(params)}

        def step(params, grads, state, *, lr, beta):
            m = beta * state["m"] + lr * grads
            return params - m, {"m": m}
        """,
    )
    assert verdict.status == "failed"
    by_id = {p["id"]: p for p in verdict.problems}
    assert by_id.pop("varying-lr")["fidelity"] < 1.0
    assert all(p["fidelity"] == 1.0 for p in by_id.values())
    assert verdict.diagnosis_names == ["lr-inside-momentum"]
    assert "Learning rate inside the velocity" in verdict.message
    assert "convention" in verdict.diagnosis[0]["title"]


def test_jumping_to_the_minimiser_is_rejected(sandbox):
    verdict = grade(
        sandbox,
        "sgd",
        """
        import numpy as np

        def init_state(params):
            return {}

        def step(params, grads, state, *, lr):
            return np.zeros_like(params), state   # the quadratics' minimiser, reached in one step
        """,
    )
    assert verdict.status == "failed"
    assert verdict.fidelity < 0.1
    quadratic = next(p for p in verdict.problems if p["id"] == "d2l-quadratic")
    assert quadratic["convergence"] > 0.5 and quadratic["fidelity"] == 0.0


def test_adam_submitted_to_the_sgd_exercise_is_rejected(sandbox):
    source = get_exercise("adam").reference_source.replace(
        "beta1, beta2, eps", "beta1=0.9, beta2=0.999, eps=1e-8"
    )
    verdict = grade_source("sgd", source, sandbox=sandbox)
    assert verdict.status == "failed"
    assert verdict.score < 0.5


def test_syntax_error_is_an_error_with_the_line(sandbox):
    verdict = grade(
        sandbox, "sgd", "def init_state(params):\n    return {}\ndef step(params, grads, state, *, lr:\n"
    )
    assert (verdict.status, verdict.sandbox_outcome) == ("error", "load_error")
    assert "line 3" in verdict.message


def test_missing_step_function_is_an_error(sandbox):
    verdict = grade(sandbox, "sgd", "def init_state(params):\n    return {}\n")
    assert (verdict.status, verdict.sandbox_outcome) == ("error", "load_error")
    assert "step" in verdict.message


def test_wrong_hyperparameter_names_are_an_error_not_a_zero(sandbox):
    verdict = grade(
        sandbox,
        "sgd",
        "def init_state(p):\n    return {}\ndef step(p, g, s, *, learning_rate):\n    return p, s\n",
    )
    assert verdict.status == "error"
    assert "TypeError" in verdict.message and "keyword" in verdict.message


def test_exception_on_one_problem_fails_with_the_error_shown(sandbox):
    verdict = grade(
        sandbox,
        "sgd",
        """
        def init_state(params):
            return {}

        def step(params, grads, state, *, lr):
            if params.size == 3:
                raise ValueError("three is too many")
            return params - lr * grads, state
        """,
    )
    assert verdict.status == "failed"
    broken = next(p for p in verdict.problems if p["id"] == "zero-gradient-coordinate")
    assert "three is too many" in broken["error"] and "line 7" in broken["error"]


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ("while True:\n    pass", "timeout"),
        ("import numpy as np\nhoard = [np.ones(10**8) for _ in range(100)]", "memory"),
        ("while True:\n    print('spam' * 100)", "output_too_large"),
        ("import os\nos._exit(0)", "crashed"),
        ("import os\nos._exit(3)", "crashed"),
        ("import sys\nsys.exit(1)", "crashed"),
        ("raise KeyboardInterrupt", "crashed"),
        ("import ctypes\nctypes.string_at(0)", "crashed"),
        ("import os\nos.write(3, b'garbage')\nos._exit(0)", "invalid_output"),
    ],
)
def test_runaway_submission_ends_with_a_clear_error(sandbox, monkeypatch, body, outcome):
    monkeypatch.setattr("grading.grader.GRADING_WALL_SECONDS", 1.0)  # keeps the timeout case quick
    # The hostile code runs at the first step, so loading works and the limit is hit while grading.
    source = "def init_state(params):\n    return {}\n\ndef step(params, grads, state, *, lr):\n"
    source += "".join(f"    {line}\n" for line in body.splitlines())
    verdict = grade_source("sgd", source, sandbox=sandbox)
    assert (verdict.status, verdict.sandbox_outcome) == ("error", outcome), verdict.message
    assert verdict.message


@pytest.mark.parametrize(
    ("module_code", "outcome"),
    [
        ("hoard = bytearray(10**11)", "memory"),
        ("raise SystemExit(0)", "crashed"),
        ("raise KeyboardInterrupt", "crashed"),
    ],
)
def test_limits_hit_while_loading_are_not_called_load_errors(sandbox, module_code, outcome):
    source = (
        module_code
        + "\n\ndef init_state(params):\n    return {}\n\ndef step(params, grads, state, *, lr):\n    return params, state\n"
    )
    verdict = grade_source("sgd", source, sandbox=sandbox)
    assert (verdict.status, verdict.sandbox_outcome) == ("error", outcome), verdict.message
