"""Scoring without a sandbox: the child's frame is checked against our plan, and trajectories
are compared with stated tolerances."""

import numpy as np
import pytest

from grading import scoring
from grading.grader import reference_runs
from grading.plans import cases_for
from grading.sandbox.protocol import encode_frame

CASES = cases_for("sgd")


def frame(rows_per_case, *, steps_done=None, ids=None, step_calls=None, extra=b"", errors=None):
    entries, chunks = [], []
    for i, (case, rows) in enumerate(zip(CASES, rows_per_case, strict=False)):
        entries.append(
            {
                "id": (ids or {}).get(i, case.id),
                "steps_done": (steps_done or {}).get(i, len(rows) - 1),
                "error": (errors or {}).get(i),
                "step_calls": 0,
            }
        )
        chunks.append(np.ascontiguousarray(rows, dtype="<f8").tobytes())
    calls = (
        step_calls
        if step_calls is not None
        else sum((len(r) - 1) * len(c.start) for c, r in zip(CASES, rows_per_case, strict=False))
    )
    header = {"load_error": None, "cases": entries, "step_calls": calls}
    return encode_frame(header, b"".join(chunks) + extra)


def reference_rows():
    return [run.rows for run in reference_runs("sgd")]


def test_honest_frame_parses_into_trajectories():
    parsed = scoring.parse_frame(frame(reference_rows()), CASES)
    assert [run.case.id for run in parsed.cases] == [case.id for case in CASES]
    np.testing.assert_array_equal(parsed.cases[0].rows, reference_rows()[0])


def test_payload_longer_than_the_plan_is_invalid():
    with pytest.raises(scoring.InvalidOutput):
        scoring.parse_frame(frame(reference_rows(), extra=b"\0" * 8), CASES)


def test_steps_done_beyond_the_plan_is_invalid():
    rows = reference_rows()
    with pytest.raises(scoring.InvalidOutput, match="steps_done"):
        scoring.parse_frame(frame(rows, steps_done={0: CASES[0].steps + 1}), CASES)


def test_cases_out_of_order_are_invalid():
    with pytest.raises(scoring.InvalidOutput, match="out of order"):
        scoring.parse_frame(frame(reference_rows(), ids={0: CASES[1].id}), CASES)


def test_stopping_early_without_an_error_is_invalid():
    rows = reference_rows()
    rows[0] = rows[0][:5]
    with pytest.raises(scoring.InvalidOutput, match="stopped early"):
        scoring.parse_frame(frame(rows), CASES)


def test_missing_cases_without_a_stop_request_are_invalid():
    with pytest.raises(scoring.InvalidOutput, match="missing"):
        scoring.parse_frame(frame(reference_rows()[:2]), CASES)


def test_inflated_step_calls_are_invalid():
    with pytest.raises(scoring.InvalidOutput, match="step_calls"):
        scoring.parse_frame(frame(reference_rows(), step_calls=10**9), CASES)


def test_garbage_is_invalid():
    with pytest.raises(scoring.InvalidOutput):
        scoring.parse_frame(b"\x00\x00\x00\x05hello", CASES)


def test_tolerance_is_absolute_plus_relative():
    reference = np.array([[1.0, 0.0]])
    assert scoring.first_departure(reference + [[5e-7, 5e-9]], reference) is None
    assert scoring.first_departure(reference + [[0.0, 2e-8]], reference) == (0, 1)


def test_first_departure_reports_step_and_parameter():
    reference = np.zeros((5, 3))
    student = reference.copy()
    student[3, 2] = 1.0
    student[4, 0] = 1.0
    assert scoring.first_departure(student, reference) == (3, 2)


def test_nan_departs_from_a_finite_reference():
    reference = np.ones((3, 2))
    student = reference.copy()
    student[2, 1] = np.nan
    assert scoring.first_departure(student, reference) == (2, 1)


def test_perfect_agreement_scores_full_marks():
    rows = reference_rows()
    parsed = scoring.parse_frame(frame(rows), CASES)
    results = [
        scoring.score_problem(run, ref.rows, ref.losses)
        for run, ref in zip(parsed.cases, reference_runs("sgd"), strict=True)
    ]
    assert scoring.combine(results, len(CASES)) == (1.0, 1.0, 1.0, True)


def test_jumping_to_the_minimiser_converges_but_fails_fidelity():
    case, ref = CASES[0], reference_runs("sgd")[0]
    rows = np.zeros_like(ref.rows)
    rows[0] = ref.rows[0]
    run = scoring.CaseRun(case=case, rows=rows, error=None)
    result = scoring.score_problem(run, ref.rows, ref.losses)
    assert result.convergence == 1.0
    assert result.fidelity == 0.0
    assert result.record["first_divergent_step"] == 1


def test_divergence_is_reported_with_its_step():
    case, ref = CASES[0], reference_runs("sgd")[0]
    rows = ref.rows.copy()
    rows[7:] = np.inf
    result = scoring.score_problem(scoring.CaseRun(case=case, rows=rows, error=None), ref.rows, ref.losses)
    assert result.record["diverged_at"] == 7
    assert result.convergence == 0.0
    assert result.record["final_loss"] is None


def test_any_departure_keeps_the_score_below_the_pass_threshold():
    ok = scoring.ProblemResult(record={}, fidelity=1.0, convergence=1.0)
    almost = scoring.ProblemResult(record={}, fidelity=0.999, convergence=1.0)
    score, _, _, passed = scoring.combine([ok] * 6 + [almost], 7)
    assert not passed
    assert score <= scoring.FAILED_SCORE_CAP < scoring.PASS_THRESHOLD


def test_two_dimensional_problems_carry_plot_trajectories():
    rows = reference_rows()
    parsed = scoring.parse_frame(frame(rows), CASES)
    ref = reference_runs("sgd")[0]
    record = scoring.score_problem(parsed.cases[0], ref.rows, ref.losses).record
    assert len(record["student_trajectory"]) == CASES[0].steps + 1
    assert record["reference_trajectory"][0] == [-5.0, -2.0]


@pytest.mark.parametrize("slug", ["sgd", "adamw"])
def test_batched_losses_equal_pointwise_losses(slug):
    for case, ref in zip(cases_for(slug), reference_runs(slug), strict=True):
        pointwise = [case.loss(row) for row in ref.rows]
        np.testing.assert_allclose(ref.losses, pointwise, rtol=1e-12, atol=1e-15)


def test_runaway_rows_have_no_loss():
    case = CASES[0]
    rows = np.array([[1.0, 1.0], [np.nan, 0.0], [1e7, 0.0]])
    losses = scoring.losses_along(case, rows)
    assert np.isfinite(losses[0]) and np.isnan(losses[1:]).all()


def test_header_without_the_required_fields_is_invalid():
    with pytest.raises(scoring.InvalidOutput, match="missing"):
        scoring.parse_frame(encode_frame({"cases": []}), CASES)
