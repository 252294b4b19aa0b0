"""Problem suites per exercise, turned into sandbox plans, and the trusted lock-step runner.

`cases_for(slug)` turns the case templates an exercise's suite picks (`grading.cases.CASES`) into
concrete cases with their hyperparameters. `simulate` runs any in-process optimizer over a case
exactly the way the sandbox harness runs a submission (same gradients, same copies, one state
per parameter array), so reference and catalogued-mistake trajectories line up with a
submission's row for row. Trusted side only.

The answer keys (`reference_optimizer`) live in `grading.reference`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from grading.cases import with_count_types
from grading.exercises import get_exercise
from grading.sandbox.harness import real_float_array
from grading.suite import build_problem

# step_fn(params, grads, state, hp) -> (new_params, new_state)
StepFunction = Callable[[np.ndarray, np.ndarray, Any, dict[str, float]], tuple[Any, Any]]


@dataclass(frozen=True)
class Case:
    """One concrete graded case of an exercise (a template with hyperparameters)."""

    id: str
    title: str
    purpose: str
    problem: str
    problem_args: dict[str, Any]
    start: tuple[np.ndarray, ...]
    steps: int
    hp: dict[str, float]
    hp_per_step: tuple[dict[str, float], ...] | None = None

    @property
    def size(self) -> int:
        return sum(p.size for p in self.start)

    def hp_at(self, step_index: int) -> dict[str, float]:
        return dict(self.hp_per_step[step_index]) if self.hp_per_step else dict(self.hp)

    def build_problem(self) -> Any:
        return build_problem(self.problem, self.problem_args)

    def loss(self, row: np.ndarray) -> float:
        """The objective at one trajectory row (all parameter arrays flattened and concatenated)."""
        return self.build_problem().loss(self.split(row))

    def split(self, row: np.ndarray) -> list[np.ndarray]:
        arrays, offset = [], 0
        for p in self.start:
            arrays.append(np.asarray(row[offset : offset + p.size], dtype=np.float64).reshape(p.shape))
            offset += p.size
        return arrays

    def split_rows(self, rows: np.ndarray) -> list[np.ndarray]:
        """Like `split`, for many rows at once: each array gets a leading step axis."""
        arrays, offset = [], 0
        for p in self.start:
            arrays.append(rows[:, offset : offset + p.size].reshape(len(rows), *p.shape))
            offset += p.size
        return arrays

    def to_plan(self) -> dict[str, Any]:
        planned: dict[str, Any] = {
            "id": self.id,
            "problem": self.problem,
            "problem_args": self.problem_args,
            "params": [{"shape": list(p.shape), "values": p.ravel().tolist()} for p in self.start],
            "steps": self.steps,
        }
        if self.hp_per_step:
            planned["hp_per_step"] = [dict(hp) for hp in self.hp_per_step]
        else:
            planned["hp"] = dict(self.hp)
        return planned


@cache
def cases_for(exercise_slug: str) -> tuple[Case, ...]:
    exercise = get_exercise(exercise_slug)
    cases = []
    for entry in exercise.suite:
        template = entry.template  # a CASES template, or an optimlab problem with its start and steps
        hp_per_step = None
        if entry.lr_schedule:
            hp_per_step = tuple(
                {**entry.hp, "lr": _lr_at(entry.lr_schedule, i)} for i in range(template.steps)
            )
        cases.append(
            Case(
                id=entry.id,
                title=template.title,
                purpose=template.purpose,
                problem=template.problem,
                problem_args=dict(template.problem_args),
                start=tuple(np.array(p, dtype=np.float64) for p in template.params),
                steps=template.steps,
                hp=with_count_types(entry.hp),
                hp_per_step=tuple(with_count_types(hp) for hp in hp_per_step) if hp_per_step else None,
            )
        )
    return tuple(cases)


def _lr_at(schedule: tuple[tuple[int, float], ...], step_index: int) -> float:
    return [lr for start, lr in schedule if start <= step_index][-1]


def build_plan(exercise_slug: str, source: str) -> dict[str, Any]:
    return {"source": source, "cases": [case.to_plan() for case in cases_for(exercise_slug)]}


def total_step_calls(exercise_slug: str) -> int:
    return sum(case.steps * len(case.start) for case in cases_for(exercise_slug))


@dataclass(frozen=True)
class SimulatedRun:
    rows: np.ndarray  # (steps_done + 1, case.size)
    error: str | None = None


def simulate(case: Case, init_state: Callable[[np.ndarray], Any], step_fn: StepFunction) -> SimulatedRun:
    """Run trusted code over `case` exactly as the harness runs a submission."""
    problem = case.build_problem()
    params = [p.copy() for p in case.start]
    rows = [np.concatenate([p.ravel() for p in params])]
    error = None
    with np.errstate(all="ignore"):  # a buggy optimizer may overflow; the rows record it as inf/NaN
        try:
            states = [init_state(p.copy()) for p in params]
            for step_index in range(case.steps):
                grads = problem.grad([p.copy() for p in params], step_index)
                hp = case.hp_at(step_index)
                new_params = []
                for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
                    new_param, states[i] = step_fn(
                        param.copy(), np.array(grad, dtype=np.float64), states[i], hp
                    )
                    # The harness's own check: complex, integer or object results are an error here too.
                    checked = real_float_array(new_param, f"new_params for parameter {i}")
                    new_params.append(checked.reshape(param.shape))
                params = new_params
                rows.append(np.concatenate([p.ravel() for p in params]))
        except Exception as exc:  # trusted code, but a catalogued mistake may legitimately blow up
            error = f"{type(exc).__name__}: {exc}"
    return SimulatedRun(rows=np.stack(rows), error=error)


def contract_step(step: Callable[..., tuple[Any, Any]]) -> StepFunction:
    """Adapt a student-contract `step(params, grads, state, **hp)` to `simulate`."""
    return lambda params, grads, state, hp: step(params, grads, state, **hp)
