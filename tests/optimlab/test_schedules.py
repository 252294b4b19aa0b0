"""Learning-rate schedules: torch's numbers, the t = 1 convention, and refusal of bad specs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from optimlab.schedules import SCHEDULES, build_schedule

GOLDENS = json.loads((Path(__file__).parent / "goldens" / "schedules.json").read_text())


@pytest.mark.parametrize("entry", GOLDENS["schedules"], ids=lambda entry: entry["spec"]["name"])
def test_schedule_matches_torch_scheduler(entry):
    # torch builds most rates by repeated multiplication; closed forms agree to rounding.
    ours = build_schedule(entry["spec"]).values(len(entry["lrs"]))
    torch_lrs = np.array(entry["lrs"])
    assert np.max(np.abs(ours - torch_lrs)) <= 1e-12 * entry["spec"]["lr"]


def test_goldens_cover_every_schedule_with_a_torch_twin():
    assert {entry["spec"]["name"] for entry in GOLDENS["schedules"]} == set(SCHEDULES) - {"constant"}


def test_constant_schedule_never_changes():
    schedule = build_schedule({"name": "constant", "lr": 0.05})
    assert set(schedule.values(50)) == {0.05}


def test_step_schedule_halves_after_each_block():
    schedule = build_schedule({"name": "step", "lr": 0.8, "step_size": 3, "gamma": 0.5})
    assert list(schedule.values(7)) == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]


def test_exponential_schedule_starts_at_lr():
    schedule = build_schedule({"name": "exponential", "lr": 2.0, "gamma": 0.5})
    assert list(schedule.values(4)) == [2.0, 1.0, 0.5, 0.25]


def test_linear_warmup_reaches_full_lr_at_step_w():
    schedule = build_schedule({"name": "linear-warmup", "lr": 1.0, "warmup_steps": 4})
    np.testing.assert_allclose(schedule.values(6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0], rtol=1e-15)


def test_cosine_starts_at_lr_hits_eta_min_after_t_max_updates_and_then_climbs_like_torch():
    schedule = build_schedule({"name": "cosine", "lr": 1.0, "T_max": 10, "eta_min": 0.1})
    assert schedule.lr_at(1) == 1.0
    assert schedule.lr_at(6) == pytest.approx(0.55)
    assert schedule.lr_at(11) == pytest.approx(0.1)
    assert schedule.lr_at(16) == pytest.approx(0.55)


def test_warmup_cosine_is_warmup_then_a_shifted_cosine():
    spec = {"name": "warmup-cosine", "lr": 1.0, "warmup_steps": 5, "total_steps": 25, "eta_min": 0.0}
    combined = build_schedule(spec)
    cosine = build_schedule({"name": "cosine", "lr": 1.0, "T_max": 20})
    assert combined.lr_at(1) == pytest.approx(0.2)
    assert combined.lr_at(5) == 1.0
    for t in range(6, 30):
        assert combined.lr_at(t) == cosine.lr_at(t - 5)


def test_schedule_is_callable_and_exposes_its_full_spec():
    schedule = build_schedule({"name": "cosine", "lr": 0.1, "T_max": 5})
    assert schedule(3) == schedule.lr_at(3)
    assert dict(schedule.params) == {"lr": 0.1, "T_max": 5, "eta_min": 0.0}


@pytest.mark.parametrize("step", [0, -1, 1.5, True, "1"])
def test_steps_count_from_one(step):
    with pytest.raises(ValueError, match="step must be an int >= 1"):
        build_schedule({"name": "constant", "lr": 0.1}).lr_at(step)


@pytest.mark.parametrize(
    "spec,message",
    [
        ({"name": "warmup"}, "unknown schedule 'warmup'; known: constant, step"),
        ({"lr": 0.1}, "unknown schedule None"),
        ({"name": "cosine", "lr": 0.1}, "missing required parameter 'T_max'"),
        ({"name": "cosine", "lr": 0.1, "T_max": 10, "gamma": 0.5}, "unknown parameter"),
        ({"name": "cosine", "lr": -0.1, "T_max": 10}, "lr must be >= 0"),
        ({"name": "cosine", "lr": math.nan, "T_max": 10}, "lr must be finite"),
        ({"name": "cosine", "lr": 0.1, "T_max": 0}, "T_max must be a whole number >= 1"),
        ({"name": "cosine", "lr": 0.1, "T_max": 2.5}, "T_max must be a whole number"),
        ({"name": "cosine", "lr": 0.1, "T_max": 10, "eta_min": 0.2}, "eta_min .* must not exceed lr"),
        ({"name": "step", "lr": 0.1, "step_size": 10, "gamma": 1.5}, r"gamma must be in \(0, 1\]"),
        ({"name": "exponential", "lr": 0.1, "gamma": 0}, "gamma must be in"),
        ({"name": "exponential", "lr": "0.1", "gamma": 0.5}, "lr must be a number"),
        (
            {"name": "warmup-cosine", "lr": 0.1, "warmup_steps": 10, "total_steps": 10},
            "must exceed warmup_steps",
        ),
    ],
)
def test_bad_specs_are_refused_with_a_reason(spec, message):
    with pytest.raises(ValueError, match=message):
        build_schedule(spec)


def test_whole_number_floats_are_accepted_as_counts():
    # JSON and form input often turn 10 into 10.0.
    assert build_schedule({"name": "step", "lr": 1.0, "step_size": 2.0}).params["step_size"] == 2
