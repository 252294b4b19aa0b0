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

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from grading.challenge.problems import ChallengeProblem, challenge_problems
from grading.challenge.scoring import combined_ratio, problem_score, score_of, steps_to_held_target
from grading.plans import simulate
from grading.scoring import losses_along
from optimlab.optimizers import get_optimizer

logger = logging.getLogger("grading.challenge")

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


def compute_baseline_runs() -> dict[str, tuple[BaselineRun, ...]]:
    """Problem id -> the tuned run of every baseline (from TUNED_LR): about 1 s of CPU."""
    return {
        problem.id: tuple(run_baseline(problem, name, TUNED_LR[problem.id][name]) for name in BASELINES)
        for problem in challenge_problems()
    }


# ---------------------------------------------------------------- sharing the runs between processes
#
# The runs cost about a second of CPU, so they are computed once (by a grading worker as it starts,
# or `manage.py challenge_baselines`) and kept in a store that every process reads: the grading
# app installs one backed by its database (grading.services.challenge_baselines). They are keyed by
# `baseline_digest()`, a digest of everything they depend on, so changing a problem, a target, a
# learning rate, an optimizer or the scoring rule makes every process compute them afresh.


class BaselineStore(Protocol):
    def load(self, digest: str) -> object | None: ...  # what `save` was given, or None
    def save(self, digest: str, payload: object) -> None: ...


_store: BaselineStore | None = None

# The code the runs depend on; a change to any of these files changes the digest.
_SOURCES = (
    "grading/challenge/baselines.py",
    "grading/challenge/problems.py",
    "grading/challenge/scoring.py",
    "grading/plans.py",
    "grading/scoring.py",
    "grading/suite.py",
)
_SOURCE_PACKAGES = ("optimlab/optimizers", "optimlab/problems")


def use_store(store: BaselineStore | None) -> None:
    """Read and write the baselines' runs through `store` (None: keep them in this process only)."""
    global _store
    _store = store
    forget_runs()


def definitions_digest(
    problems: tuple[ChallengeProblem, ...], tuned: dict[str, dict[str, float]], sources: dict[str, bytes]
) -> str:
    """A digest of the suite (problems, starts, targets, holds, budgets), the baselines (names,
    learning rates) and the source of the code that runs and scores them."""
    digest = hashlib.sha256()
    suite = [
        {**problem.case.to_plan(), "target": problem.target, "hold": problem.hold, "kind": problem.kind}
        for problem in problems
    ]
    digest.update(json.dumps([suite, list(BASELINES), tuned], sort_keys=True, default=str).encode())
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + hashlib.sha256(sources[name]).digest())
    return digest.hexdigest()


@cache
def baseline_digest() -> str:
    """The key of the current suite and baselines' runs (see definitions_digest)."""
    root = Path(__file__).resolve().parents[2]
    files = [root / name for name in _SOURCES]
    for package in _SOURCE_PACKAGES:
        files.extend(
            sorted((root / package).glob("*.py")) if (root / package).is_dir() else [root / f"{package}.py"]
        )
    sources = {str(path.relative_to(root)): path.read_bytes() for path in files}
    return definitions_digest(challenge_problems(), TUNED_LR, sources)


def runs_to_payload(runs: dict[str, tuple[BaselineRun, ...]]) -> dict[str, list[dict[str, Any]]]:
    """The runs as JSON (losses at full precision, None where not finite)."""
    return {
        problem_id: [
            {
                "optimizer": run.optimizer,
                "lr": run.lr,
                "steps_to_target": run.steps_to_target,
                "losses": [v if math.isfinite(v) else None for v in run.losses.tolist()],
            }
            for run in problem_runs
        ]
        for problem_id, problem_runs in runs.items()
    }


def runs_from_payload(payload: object) -> dict[str, tuple[BaselineRun, ...]] | None:
    """The inverse of `runs_to_payload`, or None when the payload does not fit the current suite."""
    problems = challenge_problems()
    if not isinstance(payload, dict) or set(payload) != {p.id for p in problems}:
        return None
    runs = {}
    try:
        for problem in problems:
            rows = payload[problem.id]
            if [row["optimizer"] for row in rows] != list(BASELINES):
                return None
            loaded = []
            for row in rows:
                losses = np.array(
                    [math.nan if v is None else float(v) for v in row["losses"]], dtype=np.float64
                )
                steps = row["steps_to_target"]
                if len(losses) != problem.budget + 1 or not (steps is None or isinstance(steps, int)):
                    return None
                loaded.append(BaselineRun(row["optimizer"], float(row["lr"]), losses, steps))
            runs[problem.id] = tuple(loaded)
    except (KeyError, TypeError, ValueError):
        return None
    return runs


def stored_baseline_runs() -> dict[str, tuple[BaselineRun, ...]] | None:
    """The runs from the store, or None when there is no store, no entry for the current digest,
    or the store cannot be read (its own error is its business: it logs and answers None)."""
    if _store is None:
        return None
    return runs_from_payload(_store.load(baseline_digest()))


# This process's copy, once it has read or computed them (the digest cannot change while it runs).
_runs: dict[str, tuple[BaselineRun, ...]] | None = None


def forget_runs() -> None:
    """Drop this process's copy of the runs (as if it had just started)."""
    global _runs
    _runs = None
    baseline_standings.cache_clear()


def _offer(runs: dict[str, tuple[BaselineRun, ...]]) -> dict[str, tuple[BaselineRun, ...]]:
    """Keep `runs` as this process's copy and give them to the store for the other processes."""
    global _runs
    _runs = runs
    if _store is not None:
        _store.save(baseline_digest(), runs_to_payload(runs))
    return runs


def warm_baseline_runs() -> bool:
    """Make sure the store holds the current runs; True when they had to be computed for it.
    A process that has them already only stores its copy."""
    if stored_baseline_runs() is not None:
        return False
    if _runs is not None:
        _offer(_runs)
        return False
    _offer(compute_baseline_runs())
    return True


def baseline_runs() -> dict[str, tuple[BaselineRun, ...]]:
    """Problem id -> the tuned run of every baseline, read once per process from the store.

    The fallback, when the store does not hold them (nobody warmed it yet, or the store is down),
    is to compute them here, once per process, and offer them to the store for the others.
    """
    global _runs
    if _runs is not None:
        return _runs
    stored = stored_baseline_runs()
    if stored is not None:
        _runs = stored
        return stored
    if _store is not None:
        logger.warning(
            "the challenge baselines were not precomputed: computing them in this process "
            "(a grading worker does it as it starts, or run `manage.py challenge_baselines`)"
        )
    return _offer(compute_baseline_runs())


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
