"""Grade one challenge entry: run it in the grading sandbox over the suite, score its convergence.

    from grading.challenge.grader import grade_challenge
    verdict = grade_challenge(CHALLENGE_SLUG, source, sandbox=sandbox)   # -> ChallengeVerdict

The run goes through the same sandbox, with the same CPU, wall-clock and memory limits, and its
limits and crashes are reported by the same code (`grading.grader`) as an exercise's. Only
convergence is scored: there is no reference to agree with (see grading.challenge.scoring).
Raises `SandboxUnavailable` when the sandbox itself fails, like `grade_source`.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grading import scoring as exercise_scoring
from grading.challenge.baselines import BASELINE_TITLES, baseline_runs, best_baseline_steps
from grading.challenge.problems import CHALLENGE_SLUG, challenge_plan, challenge_problems
from grading.challenge.scoring import (
    PENALTY_FACTOR,
    ProblemScore,
    combined_ratio,
    curve_for_storage,
    problem_score,
    score_of,
)
from grading.grader import run_submission
from grading.sandbox.client import Sandbox
from grading.verdict import SandboxOutcome, Verdict, VerdictStatus

CONTRACT = "It must define `init_state(params)` and `step(params, grads, state)` (no hyperparameters: choose your own)."


@dataclass
class ChallengeVerdict(Verdict):
    """A verdict whose score is the challenge score; `ratio` is the combined steps ratio."""

    kind: str = "challenge"
    ratio: float | None = None


def grade_challenge(
    slug: str, source: str, *, sandbox: Sandbox, wall_seconds: float | None = None
) -> Verdict:
    if slug != CHALLENGE_SLUG:
        raise ValueError(f"not the challenge: {slug!r}")
    problems = challenge_problems()
    cases = tuple(problem.case for problem in problems)
    run = run_submission(
        challenge_plan(source), cases, sandbox=sandbox, wall_seconds=wall_seconds, contract=CONTRACT
    )
    if isinstance(run, Verdict):
        return run
    return _score(run.parsed, run.output)


def _score(parsed: exercise_scoring.ParsedRun, output: str) -> ChallengeVerdict:
    baselines = baseline_runs()
    records, scores = [], []
    runs = {run.case.id: run for run in parsed.cases}
    for problem in challenge_problems():
        run = runs.get(problem.id)
        if run is None:  # the submission stopped the process before this problem
            start = np.concatenate([p.ravel() for p in problem.case.start])[None, :]
            losses = exercise_scoring.losses_along(problem.case, start)
            error = None
        else:
            losses = exercise_scoring.losses_along(problem.case, run.rows)
            error = exercise_scoring.describe_error(run.error) if run.error else None
        best = best_baseline_steps(problem.id)
        score = problem_score(
            problem.id,
            losses,
            target=problem.target,
            budget=problem.budget,
            best_baseline=best,
            hold=problem.hold,
        )
        scores.append(score)
        best_name = min(
            (b for b in baselines[problem.id] if b.steps_to_target is not None),
            key=lambda b: b.steps_to_target or 0,
        ).optimizer
        records.append(_record(problem, score, losses, error, best, BASELINE_TITLES[best_name]))
    ratio = combined_ratio(scores)
    reached = sum(score.reached for score in scores)
    every = reached == len(scores)
    return ChallengeVerdict(
        status=VerdictStatus.PASSED if every else VerdictStatus.FAILED,
        score=score_of(ratio),
        fidelity=0.0,
        convergence=round(reached / len(scores), 6),
        message=_message(scores, ratio),
        sandbox_outcome=SandboxOutcome.COMPLETED,
        step_calls=parsed.step_calls,
        output=output,
        problems=records,
        ratio=round(ratio, 6),
    )


def _record(
    problem: Any, score: ProblemScore, losses: Any, error: str | None, best: int, best_title: str
) -> dict[str, Any]:
    final = losses[-1] if len(losses) else math.nan
    return {
        "id": problem.id,
        "title": problem.case.title,
        "purpose": problem.case.purpose,
        "kind": problem.kind,
        "target": problem.target,
        "hold": problem.hold,
        "budget": problem.budget,
        "steps_done": len(losses) - 1,
        "steps_to_target": score.steps,
        "reached": score.reached,
        "charged_steps": score.charged,
        "ratio": round(score.ratio, 6),
        "best_baseline_steps": best,
        "best_baseline": best_title,
        "final_loss": float(final) if math.isfinite(final) else None,
        "error": error,
        "losses": curve_for_storage(losses),
    }


def _message(scores: list[ProblemScore], ratio: float) -> str:
    missed = [s.problem_id for s in scores if not s.reached]
    if ratio <= 1.0:
        pace = f"On (geometric) average you need {ratio:.2f}× the steps of the best tuned baseline: faster than it."
    else:
        pace = f"On (geometric) average you need {ratio:.2f}× the steps of the best tuned baseline."
    if missed:
        return (
            f"{pace} Not reached: {', '.join(missed)}; each miss is charged {PENALTY_FACTOR}× the problem's "
            "step budget. Look at the loss curves below to see where it stalls or blows up."
        )
    return f"Every target reached. {pace}"
