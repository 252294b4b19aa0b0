"""Problem suites per exercise, turned into sandbox plans, and the trusted lock-step runner.

A *case template* (`CASES`) is a problem with a start point and a step count, chosen to expose
particular mistakes; an exercise's `info.yaml` picks templates and sets hyperparameters per case
(see `grading.exercises.loader.SuiteEntry`). `simulate` runs any in-process optimizer over a case
exactly the way the sandbox harness runs a submission (same gradients, same copies, one state
per parameter array), so reference and catalogued-mistake trajectories line up with a
submission's row for row. Trusted side only.

`reference_optimizer(name)` gives an exercise's answer key: an optimlab optimizer, or one of
`COMPOSED_REFERENCES` (plain optimlab SGD driven by an optimlab schedule or clipping) for
exercises whose `step` takes hyperparameters no optimlab optimizer has.
"""

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from grading.sandbox.harness import real_float_array
from grading.suite import build_problem

# step_fn(params, grads, state, hp) -> (new_params, new_state)
StepFunction = Callable[[np.ndarray, np.ndarray, Any, dict[str, float]], tuple[Any, Any]]


@dataclass(frozen=True)
class CaseTemplate:
    title: str
    problem: str
    params: tuple[tuple[float, ...] | tuple[tuple[float, ...], ...], ...]
    steps: int
    purpose: str
    problem_args: dict[str, Any] = field(default_factory=dict)


CASES: dict[str, CaseTemplate] = {
    "d2l-quadratic": CaseTemplate(
        title="Ill-conditioned quadratic 0.1·x₁² + 2·x₂²",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=100,
        purpose="gradients that depend on the parameters, over many steps, with curvatures 20× apart",
    ),
    "rosenbrock": CaseTemplate(
        title="Rosenbrock valley",
        problem="rosenbrock",
        params=((-1.5, 2.0),),
        steps=150,
        purpose="a non-convex, badly scaled valley where convergence behaviour differs between methods",
    ),
    "tiny-gradients": CaseTemplate(
        title="Tiny gradients (|g| ≈ 1e-6)",
        problem="diagonal-quadratic",
        problem_args={"curvatures": [1e-6, 3e-6]},
        params=((1.0, -0.5),),
        steps=60,
        purpose="gradients near √ε, where the placement of ε changes the step size",
    ),
    "zero-gradient-coordinate": CaseTemplate(
        title="A coordinate whose gradient is always zero",
        problem="diagonal-quadratic",
        problem_args={"curvatures": [1.0, 0.0, 4.0]},
        params=((2.0, 1.0, -1.0),),
        steps=60,
        purpose="0/0 in the adaptive denominators and state that must stay exactly zero",
    ),
    "linear-layer": CaseTemplate(
        title="Linear layer: a 3×2 weight matrix and a bias vector",
        problem="linear-layer",
        params=(((0.5, -0.5), (0.0, 1.0), (1.0, 0.0)), (0.1, -0.2)),
        steps=80,
        purpose="two parameter arrays of different shapes, each with its own state",
    ),
    "minibatch-regression": CaseTemplate(
        title="Linear regression on seeded minibatches",
        problem="linear-regression",
        params=((-2.0, 3.0),),
        steps=120,
        purpose="noisy minibatch gradients (fixed seed), as in real training",
    ),
    "varying-lr": CaseTemplate(
        title="Ill-conditioned quadratic with a learning rate that changes between steps",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=90,
        purpose="separates momentum conventions that agree at a constant learning rate",
    ),
    "d2l-quadratic-clipped": CaseTemplate(
        title="Ill-conditioned quadratic with a tight gradient-norm cap",
        problem="ill-conditioned-quadratic",
        params=((-5.0, -2.0),),
        steps=100,
        purpose="clipping acts on the first steps, then lets go as the gradients shrink",
    ),
}


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

    def build_problem(self):
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
    from grading.exercises import get_exercise

    exercise = get_exercise(exercise_slug)
    cases = []
    for entry in exercise.suite:
        template = CASES[entry.case]
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


# ---------------------------------------------------------------- answer keys built on the trusted side

# Hyperparameters that count updates: the loader reads every hyperparameter as a float, but a
# student compares them with an int step counter, so they are sent to `step` as ints.
COUNT_HYPERPARAMETERS = frozenset({"warmup_steps", "total_steps"})


def with_count_types(hp: Mapping[str, float]) -> dict[str, float]:
    return {name: int(value) if name in COUNT_HYPERPARAMETERS else value for name, value in hp.items()}


@dataclass(frozen=True)
class ComposedReference:
    """An answer key made of optimlab parts (plain SGD plus a schedule or clipping), for exercises
    whose contract has hyperparameters no single optimlab optimizer takes.

    It offers what the exercise loader and the grader use of an optimlab `Optimizer`: `name`,
    `hyperparameters`, `defaults`, `resolve_hyperparameters`, and pure `init`/`update`.
    """

    name: str
    defaults: Mapping[str, float]
    init: Callable[[np.ndarray], dict[str, Any]]
    step: Callable[
        [np.ndarray, np.ndarray, dict[str, Any], dict[str, float]], tuple[np.ndarray, dict[str, Any]]
    ]
    check: Callable[[dict[str, float]], None]  # raises ValueError on a combination that makes no sense

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        return tuple(self.defaults)

    def resolve_hyperparameters(self, hp: Mapping[str, Any] | None = None) -> dict[str, float]:
        hp = {} if hp is None else hp
        if not isinstance(hp, Mapping):
            raise ValueError(f"{self.name}: hyperparameters must be a mapping, got {type(hp).__name__}")
        unknown = sorted(str(key) for key in hp if key not in self.defaults)
        if unknown:
            raise ValueError(
                f"{self.name}: unknown hyperparameter(s) {', '.join(unknown)}; accepted: {', '.join(self.defaults)}"
            )
        resolved = {}
        for key, default in self.defaults.items():
            value = hp.get(key, default)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"{self.name}: {key} must be a finite number, got {value!r}")
            if key in COUNT_HYPERPARAMETERS and (not float(value).is_integer() or value < 1):
                raise ValueError(f"{self.name}: {key} must be a whole number >= 1, got {value!r}")
            if value < 0:
                raise ValueError(f"{self.name}: {key} must be >= 0, got {value!r}")
            resolved[key] = value
        resolved = with_count_types(resolved)
        self.check(resolved)
        return resolved

    def update(
        self,
        params: np.ndarray,
        grads: np.ndarray,
        state: dict[str, Any],
        hp: Mapping[str, Any] | None = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        return self.step(params, grads, state, self.resolve_hyperparameters(hp))


def _sgd_warmup_cosine() -> ComposedReference:
    """SGD at the lr of optimlab's warmup-cosine schedule, t counted from 1 by its own state."""
    from optimlab.optimizers import get_optimizer
    from optimlab.schedules import build_schedule

    sgd = get_optimizer("sgd")

    def schedule(hp: dict[str, float]):
        spec = {"name": "warmup-cosine", "lr": hp["lr"], "eta_min": hp["min_lr"]}
        return build_schedule({**spec, "warmup_steps": hp["warmup_steps"], "total_steps": hp["total_steps"]})

    def step(params, grads, state, hp):
        t = state["t"] + 1
        new_params, _ = sgd.update(params, grads, sgd.init(params), {"lr": schedule(hp).lr_at(t)})
        return new_params, {"t": t}

    return ComposedReference(
        name="sgd-warmup-cosine",
        defaults=MappingProxyType({"lr": 0.1, "warmup_steps": 10, "total_steps": 100, "min_lr": 0.0}),
        init=lambda params: {"t": 0},
        step=step,
        check=schedule,  # build_schedule raises ValueError naming a bad combination (e.g. min_lr > lr)
    )


def _sgd_clip_norm() -> ComposedReference:
    """SGD on the gradient clipped by its norm (torch's clip_grad_norm_, one array at a time)."""
    from optimlab.clipping import clip_by_global_norm
    from optimlab.optimizers import get_optimizer

    sgd = get_optimizer("sgd")

    def step(params, grads, state, hp):
        (clipped,), _ = clip_by_global_norm([grads], hp["max_norm"])
        return sgd.update(params, clipped, state, {"lr": hp["lr"]})

    def check(hp: dict[str, float]) -> None:
        if not hp["max_norm"] > 0:
            raise ValueError(f"sgd-clip-norm: max_norm must be > 0, got {hp['max_norm']!r}")

    return ComposedReference(
        name="sgd-clip-norm",
        defaults=MappingProxyType({"lr": 0.1, "max_norm": 1.0}),
        init=sgd.init,
        step=step,
        check=check,
    )


COMPOSED_REFERENCES: Mapping[str, Callable[[], ComposedReference]] = MappingProxyType(
    {"sgd-warmup-cosine": _sgd_warmup_cosine, "sgd-clip-norm": _sgd_clip_norm}
)


def reference_optimizer(name: str):
    """The optimizer an exercise's `reference_optimizer` names: a composed one above, else optimlab's.

    ValueError lists every known name. (optimlab is imported here, not at the top: the sandbox
    zygote must never hold a reference optimizer, so this module keeps it out of its imports.)
    """
    if isinstance(name, str) and name in COMPOSED_REFERENCES:
        return _composed_reference(name)
    from optimlab.optimizers import OPTIMIZERS, get_optimizer

    try:
        return get_optimizer(name)
    except ValueError:
        known = ", ".join([*OPTIMIZERS, *COMPOSED_REFERENCES])
        raise ValueError(f"unknown optimizer {name!r}; known: {known}") from None


@cache
def _composed_reference(name: str) -> ComposedReference:
    return COMPOSED_REFERENCES[name]()
