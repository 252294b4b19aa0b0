"""`step` must return real floating-point arrays of the parameter's shape: anything else (complex,
integer, boolean, object or string arrays, odd ndarray subclasses) is rejected with a message that
names what came back, in the harness and in the trusted simulator alike, and never passes."""

import numpy as np
import pytest

from grading.plans import simulate
from grading.sandbox import harness
from grading.sandbox.client import Sandbox, SandboxUnavailable
from tests.grading import hostile_support as hs


class Shifty(np.ndarray):
    """A subclass whose comparisons always agree: it must not be trusted to behave like an array."""

    def __eq__(self, other):
        return True


BAD_RESULTS = {
    "complex": (lambda p: p.astype(np.complex128) + 1e-300j, "dtype complex128: complex numbers"),
    "object": (
        lambda p: np.array([None] * p.size, dtype=object).reshape(p.shape),
        "dtype object: Python objects",
    ),
    "integer": (lambda p: np.round(p).astype(np.int64), "dtype int64: integers"),
    "python ints": (lambda p: [int(x) for x in p.ravel()], "dtype int64: integers"),
    "bool": (lambda p: p > 0, "dtype bool: booleans"),
    "strings": (lambda p: p.astype(str), "strings"),
    "subclass": (lambda p: p.view(Shifty), "as a Shifty, a subclass of numpy.ndarray"),
    "ragged": (lambda p: [p, [1.0]], "not an array of numbers"),
}


@pytest.mark.parametrize("kind", sorted(BAD_RESULTS))
def test_the_harness_rejects_a_result_that_is_not_real_floats_and_says_what_it_was(kind):
    make, message = BAD_RESULTS[kind]
    like = np.array([1.5, -2.0])
    with pytest.raises(harness.SubmissionContractError) as refused:
        harness._as_param_array(make(like), like, 0)
    assert message in str(refused.value)
    assert "parameter 0" in str(refused.value)


@pytest.mark.parametrize(
    "value", [np.array([1.5, -2.0]), np.array([1.5, -2.0], dtype=np.float32), [1.5, -2.0], [1, 2.5]]
)
def test_real_floats_of_any_width_and_lists_of_numbers_are_accepted(value):
    array = harness._as_param_array(value, np.zeros(2), 0)
    assert array.dtype == np.float64 and type(array) is np.ndarray


def test_the_simulator_rejects_complex_results_like_the_harness():
    from grading.plans import cases_for

    case = cases_for("sgd")[0]
    run = simulate(case, lambda p: {}, lambda p, g, s, hp: ((p - hp["lr"] * g).astype(complex), s))
    assert run.error is not None and "complex128" in run.error
    assert len(run.rows) == 1, "no step should have been recorded"


@pytest.fixture(scope="module")
def sandbox():
    try:
        box = Sandbox(wall_seconds=5)
        box.start()
    except SandboxUnavailable as exc:
        pytest.skip(f"this machine cannot isolate submissions: {exc}")
    yield box
    box.close()


COMPLEX_SGD = """\
import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return (params - lr * grads).astype(np.complex128), state
"""


def test_a_step_that_returns_complex_numbers_no_longer_passes(sandbox):
    grader = pytest.importorskip("grading.grader")
    honest = grader.grade_source("sgd", hs.BENIGN_SGD, sandbox=sandbox)
    assert honest.status == "passed", "the complex variant differs from this one only by its dtype"
    verdict = grader.grade_source("sgd", COMPLEX_SGD, sandbox=sandbox)
    assert verdict.status != "passed"
    assert "complex128" in verdict.message and "complex numbers" in verdict.message, verdict.message


@pytest.mark.parametrize("returned", ["params.astype(int)", "params > 0", "params.astype(object)"])
def test_integer_boolean_and_object_results_fail_with_their_dtype_named(sandbox, returned):
    grader = pytest.importorskip("grading.grader")
    source = f"def init_state(params):\n    return {{}}\n\n\ndef step(params, grads, state, *, lr):\n    return {returned}, state\n"
    verdict = grader.grade_source("sgd", source, sandbox=sandbox)
    assert verdict.status != "passed"
    assert "dtype" in verdict.message, verdict.message
