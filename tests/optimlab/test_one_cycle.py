"""The one-cycle policy against torch's OneCycleLR (tests/optimlab/goldens/one_cycle.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from optimlab.one_cycle import one_cycle
from optimlab.optimizers import get_optimizer

GOLDEN = json.loads((Path(__file__).parent / "goldens" / "one_cycle.json").read_text())


@pytest.mark.parametrize("entry", GOLDEN["schedules"], ids=lambda e: f"T{e['spec']['total_steps']}")
def test_lr_and_momentum_of_every_update_match_torch(entry):
    spec = entry["spec"]
    ours = [one_cycle(t, **spec) for t in range(1, spec["total_steps"] + 1)]
    np.testing.assert_allclose([lr for lr, _ in ours], entry["lrs"], rtol=1e-13, atol=0)
    np.testing.assert_allclose([m for _, m in ours], entry["momenta"], rtol=1e-13, atol=0)


def test_momentum_sgd_under_the_policy_retraces_torch():
    run = GOLDEN["run"]
    golden = np.array(run["trajectory"])
    data = json.loads((Path(__file__).parent / "goldens" / "trajectories.json").read_text())
    lsq = data["problems"]["least-squares-3x2"]["data"]
    a, b = np.array(lsq["A"]), np.array(lsq["B"])
    momentum = get_optimizer("momentum")
    params, state = golden[0], momentum.init(golden[0])
    for t, expected in enumerate(golden[1:], start=1):
        lr, beta = one_cycle(t, **run["spec"])
        params, state = momentum.update(params, a.T @ (a @ params - b) / 4, state, {"lr": lr, "beta": beta})
        assert np.max(np.abs(params - expected)) <= 1e-10 * np.max(np.abs(expected))


def test_the_cycle_peaks_at_lr_with_the_lowest_momentum_and_ends_far_below_its_start():
    spec = {"lr": 0.1, "total_steps": 100}  # phase 1 ends at step number 29: update 30
    values = [one_cycle(t, **spec) for t in range(1, 101)]
    assert values[0] == pytest.approx((0.1 / 25, 0.95), rel=1e-15)
    assert values[29] == pytest.approx((0.1, 0.85), rel=1e-15)
    assert max(values)[0] == values[29][0]
    assert values[-1] == pytest.approx((0.1 / 25 / 1e4, 0.95), rel=1e-12)


def test_a_boundary_between_steps_starts_phase_two_from_the_boundary():
    # p·T − 1 = 0.25·37 − 1 = 8.25: update 10 (step number 9) is 0.75 of a step into phase 2.
    lr, _ = one_cycle(10, lr=0.5, total_steps=37, pct_start=0.25, div_factor=10.0)
    fraction = 0.75 / (36 - 8.25)
    assert lr == pytest.approx(
        0.05 / 1e4 + (0.5 - 0.05 / 1e4) * (1 + np.cos(np.pi * fraction)) / 2, rel=1e-15
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"total_steps": 0}, "total_steps"),
        ({"total_steps": 2.0}, "total_steps"),
        ({"pct_start": 1.0}, "pct_start"),
        ({"total_steps": 3, "pct_start": 0.3}, "at least one step"),
        ({"div_factor": 0.0}, "div_factor"),
        ({"base_momentum": 0.96}, "base_momentum <= max_momentum"),
        ({"max_momentum": 1.0}, "max_momentum < 1"),
    ],
)
def test_settings_that_make_no_cycle_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        one_cycle(1, **{"lr": 0.1, **overrides})


def test_updates_past_the_cycle_are_refused():
    one_cycle(11, lr=0.1, total_steps=10)  # torch allows stepping the scheduler total_steps times
    with pytest.raises(ValueError, match="outside the cycle"):
        one_cycle(12, lr=0.1, total_steps=10)
