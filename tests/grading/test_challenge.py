"""The optimizer challenge's suite, baselines and scoring, and entries graded in the real sandbox."""

import math
import textwrap

import numpy as np
import pytest

from grading.challenge import CHALLENGE_SLUG
from grading.challenge.baselines import (
    BASELINES,
    TUNED_LR,
    baseline_runs,
    baseline_standings,
    best_baseline_steps,
    search_all,
)
from grading.challenge.content import starter_source, statement_md
from grading.challenge.grader import grade_challenge
from grading.challenge.problems import HOLD_STEPS, challenge_plan, challenge_problems
from grading.challenge.scoring import PENALTY_FACTOR, combined_ratio, problem_score, steps_to_held_target
from grading.grader import grading_sandbox
from grading.plans import simulate
from grading.scoring import losses_along
from grading.suite import TwoLayerNetProblem

ADAM_LIKE = """
import numpy as np

def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

def step(params, grads, state):
    t = state["t"] + 1
    m = 0.9 * state["m"] + 0.1 * grads
    v = 0.999 * state["v"] + 0.001 * grads**2
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
    return params - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), {"m": m, "v": v, "t": t}
"""

# Gradient ascent with a large step: every problem runs away to inf/NaN.
DIVERGES_EVERYWHERE = """
def init_state(params):
    return None

def step(params, grads, state):
    return params + 10.0 * grads, state
"""

# Adam-like, except that on the ten-dimensional quadratic it turns into a blow-up.
DIVERGES_ON_ONE = ADAM_LIKE.replace(
    "    return params - 0.1",
    "    if params.size == 10:\n        return params * 1e6, state\n    return params - 0.1",
)


# A Newton jump with the noisy quadratic's curvatures (1, 4) on every two-parameter array: on that
# problem each step lands at -noise / curvature, a fresh random point whose exact loss is about 0.3
# and, once in a while, below the 0.01 target by pure luck. Adam-like everywhere else.
LUCKY_JUMPER = ADAM_LIKE.replace(
    "    t = state",
    "    if params.size == 2:\n        return params - grads / np.array([1.0, 4.0]), state\n    t = state",
)


@pytest.fixture(scope="module")
def sandbox():
    with grading_sandbox() as running:
        yield running


def grade(sandbox, source):
    return grade_challenge(CHALLENGE_SLUG, textwrap.dedent(source), sandbox=sandbox)


def by_id(verdict):
    return {problem["id"]: problem for problem in verdict.problems}


# ---------------------------------------------------------------- the suite and its baselines


def test_the_suite_has_a_noisy_an_ill_conditioned_a_non_convex_problem_and_a_small_network():
    kinds = [problem.kind for problem in challenge_problems()]
    assert {"noisy", "ill-conditioned", "non-convex", "network"} <= set(kinds)
    net = next(p for p in challenge_problems() if p.kind == "network")
    assert len(net.case.start) == 4 and 100 <= net.case.size <= 400


def test_the_stored_tuned_learning_rates_are_what_the_grid_search_finds():
    assert search_all() == TUNED_LR


def test_every_target_is_reached_by_some_tuned_baseline_within_its_budget():
    for problem in challenge_problems():
        best = best_baseline_steps(problem.id)
        assert 1 <= best <= problem.budget
        # ...and is no formality: no problem is solved in a handful of steps by every baseline.
        assert max(run.steps_to_target or problem.budget for run in baseline_runs()[problem.id]) > 20


def test_baselines_are_run_with_their_tuned_learning_rate():
    for problem in challenge_problems():
        for run in baseline_runs()[problem.id]:
            assert run.lr == TUNED_LR[problem.id][run.optimizer]


def test_the_best_baseline_of_a_problem_has_ratio_one_there_and_baselines_are_scored_like_entries():
    standings = {b.optimizer: b for b in baseline_standings()}
    assert set(standings) == set(BASELINES)
    for b in standings.values():
        assert b.ratio >= 1.0  # nobody beats the per-problem best on every problem at once
        assert b.score == pytest.approx(1 / b.ratio, rel=1e-5)
    # Plain SGD cannot get down the ill-conditioned quadratic in time: charged, and ranked last.
    assert standings["sgd"].reached < len(challenge_problems())
    assert min(standings.values(), key=lambda b: b.score).optimizer == "sgd"


def test_the_plan_passes_no_hyperparameters_to_step():
    plan = challenge_plan("source")
    assert plan["source"] == "source"
    assert [case["hp"] for case in plan["cases"]] == [{}] * len(challenge_problems())


def test_the_two_moons_network_gradient_is_the_gradient_of_its_loss():
    # With one batch holding every point, the minibatch gradient is the full-data gradient.
    problem = TwoLayerNetProblem(batch=256)
    rng = np.random.default_rng(3)
    params = [rng.normal(size=(2, 8)), rng.normal(size=8), rng.normal(size=8), rng.normal(size=1)]
    grads = problem.grad([p.copy() for p in params], 0)
    h = 1e-6
    for index, param in enumerate(params):
        for flat in range(0, param.size, 3):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[index].flat[flat] += h
            down[index].flat[flat] -= h
            numeric = (problem.loss(up) - problem.loss(down)) / (2 * h)
            assert grads[index].flat[flat] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_the_statement_lists_every_problem_and_the_starter_defines_the_contract():
    text = statement_md()
    for problem in challenge_problems():
        assert problem.case.title in text
    held = [line for line in text.splitlines() if f"held for {HOLD_STEPS} steps" in line]
    assert len(held) == sum(problem.hold > 1 for problem in challenge_problems()) == 2
    assert "def step(params, grads, state)" in starter_source()


# ---------------------------------------------------------------- scoring


def test_a_curve_that_diverges_scores_not_reached_and_is_charged_twice_the_budget():
    losses = np.array([10.0, 5.0, math.inf, math.nan, math.nan])
    score = problem_score("p", losses, target=1.0, budget=4, best_baseline=2)
    assert not score.reached and score.steps is None
    assert score.charged == PENALTY_FACTOR * 4
    assert score.ratio == pytest.approx(4.0)


def test_a_curve_that_comes_back_from_nan_below_the_target_is_still_not_reached():
    losses = np.array([10.0, math.nan, 0.1, 0.01])
    assert not problem_score("p", losses, target=1.0, budget=3, best_baseline=1).reached


def test_steps_to_target_is_the_first_step_at_or_below_it():
    losses = np.array([10.0, 3.0, 1.0, 0.5, 2.0])
    score = problem_score("p", losses, target=1.0, budget=4, best_baseline=4)
    assert (score.steps, score.ratio) == (2, 0.5)


def test_a_held_target_counts_from_the_first_step_of_a_stretch_that_stays_under_it():
    losses = np.array([5.0, 0.5, 2.0, 0.5, 0.4, 0.3, 3.0])
    assert steps_to_held_target(losses, 1.0, 1) == 1
    assert steps_to_held_target(losses, 1.0, 2) == 3
    assert steps_to_held_target(losses, 1.0, 3) == 3
    assert steps_to_held_target(losses, 1.0, 4) is None


def test_a_stretch_cut_off_by_the_end_of_the_budget_or_by_nan_is_not_held():
    assert steps_to_held_target(np.array([5.0, 2.0, 0.5, 0.5]), 1.0, 3) is None
    assert steps_to_held_target(np.array([5.0, 0.5, math.nan, 0.5, 0.5]), 1.0, 3) is None
    score = problem_score("p", np.array([5.0, 0.5, 0.5, 0.5]), target=1.0, budget=3, best_baseline=1, hold=3)
    assert (score.steps, score.reached) == (1, True)


def test_only_the_problems_with_noisy_gradients_ask_for_a_held_target():
    holds = {problem.id: problem.hold for problem in challenge_problems()}
    assert holds["noisy-quadratic"] == holds["two-moons-net"] > 1
    assert {holds["ill-conditioned"], holds["rosenbrock"], holds["himmelblau"]} == {1}


def test_a_lucky_dip_of_a_jumping_optimizer_under_noise_no_longer_reaches_the_noisy_target():
    problem = next(p for p in challenge_problems() if p.id == "noisy-quadratic")
    run = simulate(problem.case, lambda p: None, lambda p, g, s, _hp: (p - g / np.array([1.0, 4.0]), s))
    losses = losses_along(problem.case, run.rows)
    # It does cross the target (the old first-hit rule would have counted it, ahead of Adam)...
    lucky = steps_to_held_target(losses, problem.target, 1)
    assert lucky is not None and lucky < best_baseline_steps(problem.id)
    # ...for a step at a time: its typical loss is thirty times the target.
    assert np.median(losses) > 10 * problem.target
    score = problem_score(
        problem.id, losses, target=problem.target, budget=problem.budget, best_baseline=1, hold=problem.hold
    )
    assert not score.reached and score.charged == PENALTY_FACTOR * problem.budget


def test_every_baseline_that_reaches_the_noisy_target_holds_it_there():
    problem = next(p for p in challenge_problems() if p.id == "noisy-quadratic")
    for run in baseline_runs()[problem.id]:
        if run.steps_to_target is not None:
            held = run.losses[run.steps_to_target : run.steps_to_target + problem.hold]
            assert len(held) == problem.hold and (held <= problem.target).all()


def test_the_combined_ratio_is_the_geometric_mean_so_twice_as_fast_cancels_twice_as_slow():
    fast = problem_score("a", np.array([2.0, 0.0]), target=0.5, budget=9, best_baseline=2)
    slow = problem_score("b", np.array([2.0, 1.0, 1.0, 1.0, 0.0]), target=0.5, budget=9, best_baseline=2)
    assert (fast.ratio, slow.ratio) == (0.5, 2.0)
    assert combined_ratio([fast, slow]) == pytest.approx(1.0)


# ---------------------------------------------------------------- entries in the sandbox


def test_an_adam_like_entry_reaches_every_target_and_is_scored_against_the_best_baselines(sandbox):
    verdict = grade(sandbox, ADAM_LIKE)
    assert verdict.status == "passed", verdict.message
    assert all(p["reached"] for p in verdict.problems)
    ratios = [p["ratio"] for p in verdict.problems]
    assert verdict.ratio == pytest.approx(math.exp(np.mean(np.log(ratios))), rel=1e-5)
    assert verdict.score == pytest.approx(1 / verdict.ratio, rel=1e-5)
    assert verdict.fidelity == 0.0  # nothing is compared step by step
    stored = verdict.to_dict()
    assert stored["kind"] == "challenge" and len(stored["problems"][0]["losses"]) == 301


def test_a_submission_that_diverges_scores_not_reached_on_that_problem(sandbox):
    verdict = grade(sandbox, DIVERGES_ON_ONE)
    problems = by_id(verdict)
    assert problems["ill-conditioned"]["reached"] is False
    assert problems["ill-conditioned"]["steps_to_target"] is None
    assert problems["ill-conditioned"]["charged_steps"] == PENALTY_FACTOR * 300
    assert all(p["reached"] for key, p in problems.items() if key != "ill-conditioned")
    assert verdict.status == "failed"
    assert "ill-conditioned" in verdict.message


def test_a_lucky_jump_under_noise_in_the_sandbox_is_not_reached_though_its_curve_dips_below(sandbox):
    verdict = grade(sandbox, LUCKY_JUMPER)
    noisy = by_id(verdict)["noisy-quadratic"]
    dips = [loss for loss in noisy["losses"] if loss is not None and loss <= noisy["target"]]
    assert dips, "the jumper should cross the target under noise at least once"
    assert noisy["reached"] is False and noisy["steps_to_target"] is None
    assert noisy["hold"] > 1


def test_a_submission_that_diverges_everywhere_reaches_nothing_and_scores_low(sandbox):
    verdict = grade(sandbox, DIVERGES_EVERYWHERE)
    assert verdict.status == "failed"
    assert not any(p["reached"] for p in verdict.problems)
    assert verdict.score < min(b.score for b in baseline_standings())


def test_a_step_that_raises_midway_keeps_the_steps_it_made(sandbox):
    source = ADAM_LIKE.replace(
        "    t = state", "    if state['t'] == 5:\n        raise ValueError('tired')\n    t = state"
    )
    verdict = grade(sandbox, source)
    assert verdict.status == "failed"
    for problem in verdict.problems:
        assert problem["reached"] is False
        assert problem["steps_done"] == 5
        assert "ValueError" in problem["error"]


def test_an_endless_loop_is_stopped_by_the_sandbox_time_limit(sandbox):
    verdict = grade(
        sandbox,
        "def init_state(params):\n    return None\ndef step(params, grads, state):\n    while True:\n        pass\n",
    )
    assert verdict.status == "error"
    assert verdict.sandbox_outcome == "timeout"


def test_a_huge_allocation_is_stopped_by_the_sandbox_memory_limit(sandbox):
    source = "import numpy as np\nhoard = [np.ones(10**8) for _ in range(100)]\n" + ADAM_LIKE
    verdict = grade(sandbox, source)
    assert verdict.status == "error"
    assert verdict.sandbox_outcome == "memory"


def test_an_entry_without_step_is_told_the_challenge_contract(sandbox):
    verdict = grade(sandbox, "def init_state(params):\n    return None\n")
    assert verdict.status == "error" and verdict.sandbox_outcome == "load_error"
    assert "step(params, grads, state)" in verdict.message
