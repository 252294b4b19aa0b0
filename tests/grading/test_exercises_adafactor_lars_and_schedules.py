"""The Adafactor, LARS, AdamW-with-cosine and one-cycle exercises: what their answer keys and
suites promise beyond the checks every exercise gets (reference passes, starter fails, mistakes
named, families named)."""

import json
from pathlib import Path

import numpy as np
import pytest

from grading.plans import cases_for
from grading.reference import reference_optimizer

GOLDENS = Path(__file__).resolve().parents[1] / "optimlab" / "goldens"


def test_adamw_cosine_answer_key_retraces_torch_adamw_under_cosine_annealing():
    # scripts/make_goldens.py: torch.optim.AdamW stepped by CosineAnnealingLR(T_max=50, eta_min=0.001).
    manifest = json.loads((GOLDENS / "trajectories.json").read_text())
    (case,) = [c for c in manifest["cases"] if c["id"] == "adamw__least-squares-3x2__scheduled-3"]
    golden = np.load(GOLDENS / "trajectories.npz")[case["id"]]
    data = manifest["problems"]["least-squares-3x2"]["data"]
    a, b = np.array(data["A"]), np.array(data["B"])
    hp = {**case["hp"], "total_steps": case["schedule"]["T_max"], "min_lr": case["schedule"]["eta_min"]}
    key = reference_optimizer("adamw-cosine")
    params, state = golden[0], key.init(golden[0])
    for expected in golden[1:]:
        params, state = key.update(params, a.T @ (a @ params - b) / a.shape[0], state, hp)
        assert np.max(np.abs(params - expected)) <= 1e-10 * np.max(np.abs(expected))


def test_adamw_cosine_decay_shrinks_by_the_scheduled_rate():
    key = reference_optimizer("adamw-cosine")
    hp = {"lr": 0.1, "weight_decay": 0.5, "total_steps": 4, "min_lr": 0.02}
    params, state = np.array([1.0, -2.0]), key.init(np.zeros(2))
    for t in range(1, 5):
        rate = 0.02 + 0.08 * (1 + np.cos(np.pi * (t - 1) / 4)) / 2
        moved, state = key.update(params, np.zeros(2), state, hp)  # no gradient: only the decay acts
        np.testing.assert_allclose(moved, params * (1 - rate * 0.5), rtol=1e-15)
        params = moved


@pytest.mark.parametrize(
    ("hp", "message"),
    [
        ({"lr": 0.01, "min_lr": 0.1}, "eta_min"),
        ({"beta1": 1.0}, "beta1"),
        ({"total_steps": 2.5}, "whole number"),
    ],
)
def test_adamw_cosine_refuses_settings_that_make_no_sense(hp, message):
    with pytest.raises(ValueError, match=message):
        reference_optimizer("adamw-cosine").resolve_hyperparameters(hp)


def test_adamw_cosine_cases_never_run_past_the_schedule():
    for case in cases_for("adamw-cosine"):
        assert case.steps <= case.hp["total_steps"], case.id


def test_adafactor_suite_factors_a_matrix_and_lets_one_over_root_t_take_over():
    cases = cases_for("adafactor")
    assert any(p.ndim == 2 for case in cases for p in case.start)
    assert any(case.hp["lr"] > 1 / np.sqrt(case.steps) for case in cases)  # ρ_t = 1/√t at the end
    assert any(case.hp["weight_decay"] > 0 for case in cases) and any(
        case.hp["weight_decay"] == 0 for case in cases
    )


def test_lars_suite_changes_the_learning_rate_between_steps():
    # Only a changing lr tells the paper's lr-inside-the-buffer from torch's lr-outside.
    varying = [case for case in cases_for("lars") if case.hp_per_step]
    assert varying and len({hp["lr"] for hp in varying[0].hp_per_step}) > 1


def test_one_cycle_answer_key_retraces_torch_sgd_under_one_cycle_lr():
    # scripts/make_goldens.py: torch.optim.SGD with momentum, stepped by OneCycleLR (cosine, momentum cycled).
    run = json.loads((GOLDENS / "one_cycle.json").read_text())["run"]
    golden = np.array(run["trajectory"])
    data = json.loads((GOLDENS / "trajectories.json").read_text())["problems"][run["problem"]]["data"]
    a, b = np.array(data["A"]), np.array(data["B"])
    key = reference_optimizer("sgd-one-cycle")
    params, state = golden[0], key.init(golden[0])
    for expected in golden[1:]:
        params, state = key.update(params, a.T @ (a @ params - b) / a.shape[0], state, run["spec"])
        assert np.max(np.abs(params - expected)) <= 1e-10 * np.max(np.abs(expected))


@pytest.mark.parametrize(
    ("hp", "message"),
    [
        ({"pct_start": 0.0}, "pct_start"),
        ({"total_steps": 3}, "at least one step"),
        ({"base_momentum": 0.99}, "base_momentum <= max_momentum"),
        ({"total_steps": 7.5}, "whole number"),
    ],
)
def test_one_cycle_refuses_settings_that_make_no_cycle(hp, message):
    with pytest.raises(ValueError, match=message):
        reference_optimizer("sgd-one-cycle").resolve_hyperparameters(hp)


def test_one_cycle_suite_puts_phase_boundaries_on_and_between_whole_steps():
    cases = cases_for("sgd-one-cycle")
    ends = [case.hp["pct_start"] * case.hp["total_steps"] - 1 for case in cases]
    assert any(float(end).is_integer() for end in ends) and any(not float(end).is_integer() for end in ends)
    assert all(case.steps <= case.hp["total_steps"] for case in cases)
