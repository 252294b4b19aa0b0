"""Replay torch's trajectories (scripts/make_goldens.py) with optimlab, without torch.

Agreement is measured per snapshot as max|ours − torch| / max|torch| (the ∞-norm relative
error of the whole parameter). A coordinate-by-coordinate relative error is meaningless when a
coordinate passes through zero (1e-20 vs 1.1e-20 says nothing about the algorithm), while the
norm-wise error still catches any wrong term: a mistake in an update shows up at 1e-3, not 1e-10.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from optimlab.optimizers import OPTIMIZERS, get_optimizer
from optimlab.schedules import build_schedule

GOLDENS = Path(__file__).parent / "goldens"
MANIFEST = json.loads((GOLDENS / "trajectories.json").read_text())
TRAJECTORIES = np.load(GOLDENS / "trajectories.npz")
TOLERANCE = 1e-10
TORCH_TWINS = {
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "amsgrad",
    "nadam",
    "radam",
    "adafactor",
}

_LSQ = MANIFEST["problems"]["least-squares-3x2"]["data"]
_A, _B = np.array(_LSQ["A"]), np.array(_LSQ["B"])

# The same losses as the generator, differentiated by hand rather than by autograd.
GRADIENTS = {
    # f = 0.1·x1² + 2·x2²
    "ill-conditioned-quadratic": lambda x: np.array([0.2 * x[0], 4 * x[1]]),
    # f = (1 − x)² + 100·(y − x²)²
    "rosenbrock": lambda x: np.array(
        [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]
    ),
    # f = ½‖A W − B‖²_F / n with n = 4 rows
    "least-squares-3x2": lambda w: _A.T @ (_A @ w - _B) / _A.shape[0],
    # f = θ²
    "scalar-parabola": lambda x: 2 * x,
}


def _replay(case: dict, hp: dict) -> np.ndarray:
    golden = TRAJECTORIES[case["id"]]
    optimizer = get_optimizer(case["optimizer"])
    schedule = build_schedule(case["schedule"]) if case["schedule"] else None
    params = golden[0]
    state = optimizer.init(params)
    snapshots = [params]
    for t in range(1, len(golden)):
        step_hp = {**hp, "lr": schedule.lr_at(t)} if schedule else hp
        params, state = optimizer.update(params, GRADIENTS[case["problem"]](params), state, step_hp)
        snapshots.append(params)
    return np.array(snapshots)


def _worst_relative_error(ours: np.ndarray, golden: np.ndarray) -> float:
    axes = tuple(range(1, golden.ndim))
    scale = np.max(np.abs(golden), axis=axes) if axes else np.abs(golden)
    difference = np.max(np.abs(ours - golden), axis=axes) if axes else np.abs(ours - golden)
    return float(np.max(difference / scale))


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda case: case["id"])
def test_trajectory_matches_torch(case):
    golden = TRAJECTORIES[case["id"]]
    assert golden.shape[0] == MANIFEST["steps"] + 1
    ours = _replay(case, case["hp"])
    assert ours.shape == golden.shape
    assert _worst_relative_error(ours, golden) <= TOLERANCE


DEFAULT_CASES = [case for case in MANIFEST["cases"] if case["id"].endswith("__0") and not case["schedule"]]


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=lambda case: case["id"])
def test_torch_defaults_are_our_defaults(case):
    # Case 0 of each optimizer ran with torch's own defaults: replaying it with no hp at all
    # checks our defaults by behaviour, not only by comparing numbers in a table.
    assert dict(get_optimizer(case["optimizer"]).defaults) == case["hp"]
    assert _worst_relative_error(_replay(case, {}), TRAJECTORIES[case["id"]]) <= TOLERANCE


def test_goldens_cover_every_torch_twin_on_a_matrix_and_with_weight_decay():
    cases = MANIFEST["cases"]
    assert {case["optimizer"] for case in cases} == TORCH_TWINS
    assert TORCH_TWINS <= set(OPTIMIZERS)
    for name in TORCH_TWINS:
        mine = [case for case in cases if case["optimizer"] == name]
        assert len({case["problem"] for case in mine}) >= 3
        assert any(TRAJECTORIES[case["id"]].ndim == 3 for case in mine), "no matrix-shaped parameter"
        assert any(case["hp"]["weight_decay"] > 0 for case in mine)
        assert len({json.dumps(case["hp"], sort_keys=True) for case in mine}) >= 3


def test_golden_files_stay_small():
    assert sum(path.stat().st_size for path in GOLDENS.iterdir()) < 3_000_000


def test_the_comparison_would_notice_a_wrong_update():
    # Guard against a vacuous comparison: a learning rate off by one part in a million already
    # moves Adam's trajectory far beyond the tolerance.
    case = next(c for c in MANIFEST["cases"] if c["optimizer"] == "adam" and c["id"].endswith("__1"))
    nudged = {**case["hp"], "lr": case["hp"]["lr"] * (1 + 1e-6)}
    assert _worst_relative_error(_replay(case, nudged), TRAJECTORIES[case["id"]]) > 100 * TOLERANCE
