"""Gradient clipping: torch's clip_grad_norm_ / clip_grad_value_ numbers, and purity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from optimlab.clipping import clip_by_global_norm, clip_by_value, global_norm

GOLDENS = json.loads((Path(__file__).parent / "goldens" / "clipping.json").read_text())


def _norm_type(value):
    return math.inf if value == "inf" else value


@pytest.mark.parametrize("case", GOLDENS["clip_grad_norm"])
def test_clip_by_global_norm_matches_torch(case):
    grads = [np.array(g) for g in case["grads"]]
    clipped, total = clip_by_global_norm(grads, case["max_norm"], _norm_type(case["norm_type"]))
    assert total == pytest.approx(case["total_norm"], rel=1e-12)
    for ours, theirs in zip(clipped, case["clipped"], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", GOLDENS["clip_grad_value"])
def test_clip_by_value_matches_torch(case):
    for grad, theirs in zip(case["grads"], case["clipped"], strict=True):
        np.testing.assert_array_equal(clip_by_value(np.array(grad), case["clip_value"]), theirs)


def test_goldens_include_clipped_and_untouched_cases():
    assert any(case["total_norm"] > case["max_norm"] for case in GOLDENS["clip_grad_norm"])
    assert any(case["total_norm"] < case["max_norm"] for case in GOLDENS["clip_grad_norm"])


def test_global_norm_treats_all_arrays_as_one_vector():
    grads = [np.array([3.0]), np.array([[4.0, 0.0]])]
    assert global_norm(grads) == 5.0
    assert global_norm(grads, norm_type=math.inf) == 4.0
    assert global_norm(grads, norm_type=1) == 7.0
    assert global_norm([]) == 0.0


def test_clipping_keeps_direction_and_lands_just_under_max_norm():
    grads = [np.array([3.0]), np.array([[4.0, 0.0]])]
    clipped, total = clip_by_global_norm(grads, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(clipped[0], [3.0 / (5.0 + 1e-6)], rtol=1e-15)
    assert global_norm(clipped) == pytest.approx(1.0 - 2e-7, rel=1e-9)


def test_small_gradients_are_left_alone_and_inputs_are_not_mutated():
    grads = [np.array([0.3, -0.4])]
    clipped, total = clip_by_global_norm(grads, 1.0)
    np.testing.assert_array_equal(clipped[0], [0.3, -0.4])
    assert clipped[0] is not grads[0]
    big = np.array([30.0, -40.0])
    clip_by_global_norm([big], 1.0)
    clip_by_value(big, 1.0)
    np.testing.assert_array_equal(big, [30.0, -40.0])


def test_all_zero_gradients_stay_zero():
    clipped, total = clip_by_global_norm([np.zeros(3)], 1.0)
    assert total == 0.0
    np.testing.assert_array_equal(clipped[0], np.zeros(3))


def test_non_finite_norm_raises_only_when_asked():
    grads = [np.array([math.inf, 1.0])]
    with pytest.raises(ValueError, match="non-finite"):
        clip_by_global_norm(grads, 1.0, error_if_nonfinite=True)
    clipped, total = clip_by_global_norm(grads, 1.0)
    assert math.isinf(total) and np.isnan(clipped[0][0])


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "1", True])
def test_bad_limits_are_refused(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm([np.ones(2)], bad)
    with pytest.raises(ValueError, match="clip_value"):
        clip_by_value(np.ones(2), bad)


@pytest.mark.parametrize("bad", [0, -2.0, "2", math.nan])
def test_bad_norm_types_are_refused(bad):
    with pytest.raises(ValueError, match="norm_type"):
        global_norm([np.ones(2)], norm_type=bad)
