"""Run one optimizer on one problem and record what happened.

    from optimlab.runner import run_optimizer
    r = run_optimizer("momentum", "ill-conditioned-quadratic", hp={"lr": 0.6, "beta": 0.5}, steps=20)
    r.trajectory   # [steps_taken + 1, dim]; trajectory[0] is the start
    r.loss         # [steps_taken + 1]
    r.diverged_at  # first step whose iterate blew up, or None

A run that blows up stops at that step: the blown-up iterate is kept when it is still a finite number (so a
plot can show the jump) and dropped when it is inf/NaN. Django-free and matplotlib-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from optimlab.clipping import clip_by_global_norm
from optimlab.optimizers import get_optimizer
from optimlab.problems import Problem, get_problem
from optimlab.schedules import SCHEDULES, build_schedule
from optimlab.schedules import Schedule as BuiltSchedule

MAX_STEPS = 10_000
# Far outside every registered problem's window (all within ±10), yet nowhere near overflow: an iterate
# beyond it is running away, and stopping here keeps the plots and the loss curve finite.
DIVERGENCE_BOUND = 1e6


class Optimizer(Protocol):
    """What the runner needs from `optimlab.optimizers` (see that module for the real implementations)."""

    @property
    def name(self) -> str: ...

    @property
    def hyperparameters(self) -> tuple[str, ...]: ...

    @property
    def defaults(self) -> Mapping[str, float]: ...

    def init(self, params: np.ndarray) -> Any: ...

    def update(
        self, params: np.ndarray, grads: np.ndarray, state: Any, hp: Mapping[str, float]
    ) -> tuple[np.ndarray, Any]: ...


# schedule(t) -> the learning rate of update t = 1, 2, ... (it replaces hp["lr"]); an
# `optimlab.schedules.Schedule` is such a callable, counting updates the same way as torch.
Schedule = Callable[[int], float]
# clip(grads) -> grads, or a number: the largest allowed L2 norm of the gradient (torch's clip_grad_norm_).
Clip = Callable[[np.ndarray], np.ndarray] | float


@dataclass(frozen=True)
class RunResult:
    optimizer: str
    problem: str
    hp: dict[str, float]  # complete: the optimizer's defaults filled in for what was not given
    trajectory: np.ndarray
    loss: np.ndarray
    diverged_at: int | None
    message: str
    steps: int = 0  # steps requested; `steps_taken` may be fewer when the run blew up
    # With a schedule: the learning rate each kept update used (lr[i] moved trajectory[i] to trajectory[i + 1]).
    lr: np.ndarray | None = None

    @property
    def steps_taken(self) -> int:
        return len(self.trajectory) - 1

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer,
            "problem": self.problem,
            "hp": dict(self.hp),
            "trajectory": self.trajectory.tolist(),
            "loss": self.loss.tolist(),
            "diverged_at": self.diverged_at,
            "message": self.message,
            "steps": self.steps,
            **({"lr": self.lr.tolist()} if self.lr is not None else {}),
        }


def resolve_optimizer(optimizer: str | Optimizer) -> Optimizer:
    if not isinstance(optimizer, str):
        return optimizer
    return get_optimizer(optimizer)


def resolve_problem(problem: str | Problem) -> Problem:
    return get_problem(problem) if isinstance(problem, str) else problem


def complete_hyperparameters(optimizer: Optimizer, hp: Mapping[str, Any] | None) -> dict[str, float]:
    """The optimizer's defaults overlaid with `hp`; unknown names and non-numbers are a ValueError."""
    given = dict(hp or {})
    unknown = sorted(set(given) - set(optimizer.hyperparameters))
    if unknown:
        raise ValueError(
            f"{optimizer.name} does not take {', '.join(unknown)}; "
            f"it takes: {', '.join(optimizer.hyperparameters) or 'no hyperparameters'}"
        )
    complete = {name: float(value) for name, value in optimizer.defaults.items()}
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        complete[name] = float(value)
    return complete


def checked_hyperparameters(
    optimizer: Optimizer, problem: Problem, hp: Mapping[str, Any] | None
) -> dict[str, float]:
    """`complete_hyperparameters`, plus the optimizer's own range checks (lr > 0, 0 ≤ β < 1, ...).

    The range checks live in the optimizer's `update`; one update with a zero gradient runs them before
    anything else, so a bad value is reported even for a zero-step run and never half-way through one.
    """
    complete = complete_hyperparameters(optimizer, hp)
    origin = np.zeros(problem.dim)
    optimizer.update(origin, np.zeros(problem.dim), optimizer.init(origin), complete)
    return complete


def starting_point(problem: Problem, start: Sequence[float] | np.ndarray | float | None) -> np.ndarray:
    if start is None:
        return np.array(problem.start, dtype=np.float64)
    try:
        point = np.array(start, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a list of numbers, got {start!r}") from None
    if point.shape != (problem.dim,):
        raise ValueError(
            f"start must have {problem.dim} coordinate{'s' if problem.dim != 1 else ''} for {problem.name}, "
            f"got {point.size}"
        )
    if not np.all(np.isfinite(point)):
        raise ValueError("start must be finite numbers")
    return point


def check_steps(steps: int) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise ValueError(f"steps must be a whole number, got {steps!r}")
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 0 and {MAX_STEPS}, got {steps}")
    return int(steps)


def safe_value(problem: Problem, x: np.ndarray) -> float:
    """J(x), or inf when evaluating it overflows (far from the window every test function explodes)."""
    with np.errstate(all="ignore"):
        try:
            return float(problem.value(x))
        except (OverflowError, FloatingPointError):
            return math.inf


def run_optimizer(
    optimizer: str | Optimizer,
    problem: str | Problem,
    hp: Mapping[str, Any] | None = None,
    steps: int = 100,
    start: Sequence[float] | np.ndarray | float | None = None,
    schedule: Schedule | None = None,
    clip: Clip | None = None,
    divergence_bound: float = DIVERGENCE_BOUND,
) -> RunResult:
    """Run `steps` updates from `start` (the problem's own start when None); see the module docstring."""
    opt = resolve_optimizer(optimizer)
    prob = resolve_problem(problem)
    steps = check_steps(steps)
    params = checked_hyperparameters(opt, prob, hp)
    if isinstance(clip, int | float) and not clip > 0:
        raise ValueError(f"clip must be a positive gradient norm, got {clip!r}")

    x = starting_point(prob, start)
    state = opt.init(x.copy())
    trajectory = [x.copy()]
    losses = [safe_value(prob, x)]
    learning_rates: list[float] = []
    diverged_at: int | None = None
    reason = ""
    for t in range(steps):
        with np.errstate(all="ignore"):
            grads = np.asarray(prob.grad(x.copy(), step=t), dtype=np.float64)
            if isinstance(clip, int | float):
                grads = clip_by_global_norm([grads], float(clip))[0][0]
            elif clip is not None:
                grads = np.asarray(clip(grads), dtype=np.float64)
            step_hp = params if schedule is None else {**params, "lr": float(schedule(t + 1))}
            new_x, state = opt.update(x.copy(), grads, state, step_hp)
        new_x = np.asarray(new_x, dtype=np.float64).reshape(x.shape)
        loss = safe_value(prob, new_x) if np.all(np.isfinite(new_x)) else math.nan
        if np.all(np.isfinite(new_x)) and math.isfinite(loss):
            trajectory.append(new_x.copy())
            losses.append(loss)
            learning_rates.append(step_hp["lr"] if "lr" in step_hp else math.nan)
            if np.max(np.abs(new_x)) > divergence_bound:
                diverged_at, reason = t + 1, f"|x| passed {divergence_bound:g}"
                break
        else:
            diverged_at, reason = t + 1, "the iterate or its loss became inf/NaN"
            break
        x = new_x

    if diverged_at is not None:
        message = f"diverged at step {diverged_at}: {reason}"
    else:
        message = f"ran {steps} steps; final loss {losses[-1]:.6g}"
    return RunResult(
        optimizer=opt.name,
        problem=prob.name,
        hp=params,
        trajectory=np.array(trajectory),
        loss=np.array(losses),
        diverged_at=diverged_at,
        message=message,
        steps=steps,
        lr=np.array(learning_rates, dtype=np.float64) if schedule is not None else None,
    )


# --- reading runs from text (the playground form and the management command share these) ---


def parse_hyperparameters(text: str) -> dict[str, float]:
    """'lr=0.1, beta1=0.9' -> {'lr': 0.1, 'beta1': 0.9}; a blank string means "all defaults"."""
    result: dict[str, float] = {}
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, raw = part.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name or not raw:
            raise ValueError(f"expected name=value, got {part!r}")
        if name in result:
            raise ValueError(f"{name} is given twice")
        result[name] = parse_number(raw, name)
    return result


def parse_number(raw: str, what: str) -> float:
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{what}: {raw!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: {raw!r} is not a finite number")
    return number


def parse_vector(text: str) -> list[float]:
    """'-5, -2' (brackets optional) -> [-5.0, -2.0]."""
    stripped = (text or "").strip().strip("()[]")
    parts = [part.strip() for part in stripped.split(",")]
    if not stripped or any(not part for part in parts):
        raise ValueError(f"expected numbers separated by commas, got {text!r}")
    return [parse_number(part, "start") for part in parts]


# Other libraries' names for a schedule parameter, accepted so a visitor's habit is not an error.
SCHEDULE_PARAMETER_ALIASES = {"min_lr": "eta_min"}
# Parameters that measure the length of the decay: left out, they default to the length of the run.
RUN_LENGTH_PARAMETERS = ("T_max", "total_steps")
# What a field or flag may say to switch a schedule or clipping off.
NONE_WORDS = ("", "none")


def schedule_for_run(name: str, text: str, lr: float, steps: int) -> BuiltSchedule | None:
    """The schedule a visitor asked for, e.g. ("warmup-cosine", "warmup_steps=10"), around the run's own lr.

    The schedule's peak lr is the optimizer's lr (typed or default), so it is set in one place only.
    A blank name or "none" means no schedule. ValueError explains anything wrong.
    """
    name = (name or "").strip()
    if name.lower() in NONE_WORDS:
        if (text or "").strip():
            raise ValueError("schedule parameters were given without a schedule")
        return None
    kind = SCHEDULES.get(name)
    if kind is None:
        raise ValueError(f"unknown schedule {name!r}; known: {', '.join(SCHEDULES)}")
    try:
        typed = parse_hyperparameters(text)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    params: dict[str, float] = {}
    for key, value in typed.items():
        key = SCHEDULE_PARAMETER_ALIASES.get(key, key)
        if key in params:
            raise ValueError(f"{name}: {key} is given twice")
        params[key] = value
    if "lr" in params:
        raise ValueError(f"{name}: set lr with the optimizer's hyperparameters; the schedule starts from it")
    if params.get("warmup_steps", 0) > steps:
        raise ValueError(
            f"{name}: warmup_steps ({params['warmup_steps']:g}) is longer than the run ({steps} steps), "
            "so the lr would never reach its peak"
        )
    defaulted = [key for key in RUN_LENGTH_PARAMETERS if key in kind.parameters and key not in params]
    for key in defaulted:
        params[key] = max(steps, 1)
    try:
        return build_schedule({"name": name, "lr": lr, **params})
    except ValueError as error:
        if any(f"{key} (" in str(error) for key in defaulted):  # e.g. "total_steps (200) must exceed ..."
            raise ValueError(
                f"{error} ({', '.join(defaulted)} defaulted to the {steps} steps of the run)"
            ) from None
        raise


def parse_clip(text: str | None) -> float | None:
    """'1.0' -> 1.0, the largest gradient norm allowed; blank or "none" -> None (no clipping)."""
    stripped = (text or "").strip()
    if stripped.lower() in NONE_WORDS:
        return None
    limit = parse_number(stripped, "clip")
    if not limit > 0:
        raise ValueError(f"clip: the largest gradient norm must be positive, got {stripped}")
    return limit
