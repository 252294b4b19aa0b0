"""The baselines of the challenge: SGD, momentum, Adam and AdamW, each with a learning rate tuned
per problem by a fixed grid search.

The search is deterministic (seeded problems, a fixed grid, a fixed rule), so its result is stored
here (`TUNED_LR`) instead of being recomputed on every start; `tests/grading/test_challenge.py`
runs the search and checks that it still finds exactly these values. When a problem, the grid or
an optimizer changes, run `python -m grading.challenge.baselines` and paste its output.

The rule: on each problem, the learning rate of the grid that reaches the target in the fewest
steps; ties go to the smaller learning rate; when no rate reaches it, the one with the lowest
final loss. Every other hyperparameter keeps its torch.optim default (momentum β = 0.9, Adam's
β₁ = 0.9, β₂ = 0.999, ε = 1e-8, AdamW's weight decay 0.01). Baselines are tuned on the very problems
they are scored on, which is generous to them: a submission has one optimizer for all problems.
"""

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from grading.challenge.problems import ChallengeProblem, challenge_problems
from grading.challenge.scoring import combined_ratio, problem_score, score_of, steps_to_held_target
from grading.plans import simulate
from grading.scoring import losses_along
from optimlab.optimizers import get_optimizer

BASELINES = ("sgd", "momentum", "adam", "adamw")
BASELINE_TITLES = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam", "adamw": "AdamW"}
LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0)

# What the search finds: problem id -> optimizer -> learning rate.
TUNED_LR: dict[str, dict[str, float]] = {
    "noisy-quadratic": {"sgd": 0.03, "momentum": 0.003, "adam": 0.1, "adamw": 0.1},
    "ill-conditioned": {"sgd": 0.01, "momentum": 0.03, "adam": 1.0, "adamw": 1.0},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.001, "adam": 1.0, "adamw": 0.1},
    "himmelblau": {"sgd": 0.01, "momentum": 0.003, "adam": 3.0, "adamw": 3.0},
    "two-moons-net": {"sgd": 1.0, "momentum": 1.0, "adam": 0.3, "adamw": 0.3},
}


@dataclass(frozen=True)
class BaselineRun:
    optimizer: str
    lr: float
    losses: np.ndarray  # (budget + 1,) NaN where the run blew up
    steps_to_target: int | None

    @property
    def title(self) -> str:
        return BASELINE_TITLES[self.optimizer]


def run_baseline(problem: ChallengeProblem, optimizer_name: str, lr: float) -> BaselineRun:
    """One baseline on one problem at one learning rate, run exactly as a submission is."""
    optimizer = get_optimizer(optimizer_name)
    hp = {"lr": lr}
    run = simulate(problem.case, optimizer.init, lambda p, g, s, _hp: optimizer.update(p, g, s, hp))
    losses = losses_along(problem.case, run.rows)
    if len(losses) < problem.budget + 1:  # stopped by an error: the rest of the curve is missing
        losses = np.concatenate([losses, np.full(problem.budget + 1 - len(losses), math.nan)])
    return BaselineRun(optimizer_name, lr, losses, steps_to_held_target(losses, problem.target, problem.hold))


def _search_key(run: BaselineRun) -> tuple[int, float, float]:
    final = float(run.losses[-1]) if math.isfinite(run.losses[-1]) else math.inf
    if run.steps_to_target is not None:
        return (0, float(run.steps_to_target), run.lr)
    return (1, final, run.lr)


def tune(problem: ChallengeProblem, optimizer_name: str) -> BaselineRun:
    """The grid search: the best run of `optimizer_name` on `problem` over LR_GRID."""
    return min((run_baseline(problem, optimizer_name, lr) for lr in LR_GRID), key=_search_key)


def search_all() -> dict[str, dict[str, float]]:
    """Run the whole search (about 200 short runs); what TUNED_LR must hold."""
    return {
        problem.id: {name: tune(problem, name).lr for name in BASELINES} for problem in challenge_problems()
    }


@cache
def baseline_runs() -> dict[str, tuple[BaselineRun, ...]]:
    """Problem id -> the tuned run of every baseline (from TUNED_LR), computed once per process."""
    return {
        problem.id: tuple(run_baseline(problem, name, TUNED_LR[problem.id][name]) for name in BASELINES)
        for problem in challenge_problems()
    }


def best_baseline_steps(problem_id: str) -> int:
    """The fewest steps any tuned baseline needs to reach the problem's target (at least 1)."""
    reached = [run.steps_to_target for run in baseline_runs()[problem_id] if run.steps_to_target is not None]
    if not reached:
        raise RuntimeError(f"no baseline reaches the target of {problem_id}: the suite is miscalibrated")
    return max(min(reached), 1)


@dataclass(frozen=True)
class BaselineStanding:
    optimizer: str
    title: str
    ratio: float
    score: float
    reached: int  # problems whose target it reached


@cache
def baseline_standings() -> tuple[BaselineStanding, ...]:
    """Each tuned baseline scored exactly as a submission is (grading.challenge.scoring)."""
    standings = []
    for index, name in enumerate(BASELINES):
        scores = [
            problem_score(
                problem.id,
                baseline_runs()[problem.id][index].losses,
                target=problem.target,
                budget=problem.budget,
                best_baseline=best_baseline_steps(problem.id),
                hold=problem.hold,
            )
            for problem in challenge_problems()
        ]
        ratio = combined_ratio(scores)
        standings.append(
            BaselineStanding(
                name, BASELINE_TITLES[name], round(ratio, 6), score_of(ratio), sum(s.reached for s in scores)
            )
        )
    return tuple(standings)


if __name__ == "__main__":
    import pprint

    pprint.pprint(search_all(), sort_dicts=False)
