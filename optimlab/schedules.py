"""Learning-rate schedules as pure functions of the update number.

Convention: ``lr_at(t)`` is the learning rate used by update t = 1, 2, ... (the same t as in the
optimizers' bias corrections). This matches torch when ``scheduler.step()`` is called after each
``optimizer.step()``: update t then runs at torch's ``last_epoch = t - 1``. Every schedule with a
torch twin gives torch's numbers (checked against tests/optimlab/goldens/schedules.json):

    constant        lr                                              (no scheduler)
    step            lr·γ^⌊(t−1)/step_size⌋                           StepLR(step_size, gamma)
    exponential     lr·γ^(t−1)                                       ExponentialLR(gamma)
    linear-warmup   lr·t/W for t ≤ W, then lr                        LinearLR(start_factor=1/W, total_iters=W−1)
    cosine          η_min + (lr − η_min)·(1 + cos(π(t−1)/T_max))/2   CosineAnnealingLR(T_max, eta_min)
    warmup-cosine   linear-warmup for t ≤ W, then cosine with        SequentialLR of the two above,
                    T_max = total_steps − W started at t − W         milestones=[W]

As in torch, the cosine is periodic: after T_max updates it climbs back towards lr, so size
T_max (or total_steps) to the length of the run. Warmup reaches the full lr at t = W.

    schedule = build_schedule({"name": "cosine", "lr": 0.1, "T_max": 100})
    schedule.lr_at(1)  # 0.1
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import numpy as np

LrFunction = Callable[[int], float]


@dataclass(frozen=True)
class Parameter:
    """One schedule parameter: its kind ("rate", "count" or "factor") and default (None = required)."""

    kind: str
    default: float | int | None = None


@dataclass(frozen=True)
class ScheduleKind:
    name: str
    description: str
    parameters: Mapping[str, Parameter]
    make: Callable[[dict[str, Any]], LrFunction]


@dataclass(frozen=True)
class Schedule:
    """A built schedule: ``lr_at(t)`` for updates t = 1, 2, ...; ``params`` is the full spec."""

    name: str
    params: Mapping[str, float | int]
    _lr: LrFunction

    def lr_at(self, step: int) -> float:
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 1:
            raise ValueError(
                f"{self.name} schedule: step must be an int >= 1 (updates count from 1), got {step!r}"
            )
        return float(self._lr(int(step)))

    __call__ = lr_at

    def values(self, steps: int) -> np.ndarray:
        """Learning rates of updates 1..steps, e.g. for a plot."""
        return np.array([self.lr_at(t) for t in range(1, steps + 1)], dtype=np.float64)


def _cosine(lr: float, eta_min: float, t_max: int) -> LrFunction:
    return lambda t: eta_min + (lr - eta_min) * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2


def _warmup(lr: float, warmup: int) -> LrFunction:
    return lambda t: lr * min(t, warmup) / warmup


def _warmup_cosine(p: dict[str, Any]) -> LrFunction:
    warmup, total = p["warmup_steps"], p["total_steps"]
    if total <= warmup:
        raise ValueError(f"warmup-cosine: total_steps ({total}) must exceed warmup_steps ({warmup})")
    ramp = _warmup(p["lr"], warmup)
    decay = _cosine(p["lr"], p["eta_min"], total - warmup)
    return lambda t: ramp(t) if t <= warmup else decay(t - warmup)


def _cosine_from_params(p: dict[str, Any]) -> LrFunction:
    return _cosine(p["lr"], p["eta_min"], p["T_max"])


SCHEDULES: Mapping[str, ScheduleKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in [
            ScheduleKind(
                "constant",
                "the same lr for every update",
                {"lr": Parameter("rate")},
                lambda p: lambda t: p["lr"],
            ),
            ScheduleKind(
                "step",
                "multiply lr by gamma every step_size updates",
                {"lr": Parameter("rate"), "step_size": Parameter("count"), "gamma": Parameter("factor", 0.1)},
                lambda p: lambda t: p["lr"] * p["gamma"] ** ((t - 1) // p["step_size"]),
            ),
            ScheduleKind(
                "exponential",
                "multiply lr by gamma after every update",
                {"lr": Parameter("rate"), "gamma": Parameter("factor")},
                lambda p: lambda t: p["lr"] * p["gamma"] ** (t - 1),
            ),
            ScheduleKind(
                "linear-warmup",
                "ramp linearly from lr/W to lr over the first W updates",
                {"lr": Parameter("rate"), "warmup_steps": Parameter("count")},
                lambda p: _warmup(p["lr"], p["warmup_steps"]),
            ),
            ScheduleKind(
                "cosine",
                "half a cosine from lr down to eta_min over T_max updates",
                {"lr": Parameter("rate"), "T_max": Parameter("count"), "eta_min": Parameter("rate", 0.0)},
                _cosine_from_params,
            ),
            ScheduleKind(
                "warmup-cosine",
                "linear warmup over warmup_steps, then cosine down to eta_min at total_steps",
                {
                    "lr": Parameter("rate"),
                    "warmup_steps": Parameter("count"),
                    "total_steps": Parameter("count"),
                    "eta_min": Parameter("rate", 0.0),
                },
                _warmup_cosine,
            ),
        ]
    }
)


def build_schedule(spec: Mapping[str, Any]) -> Schedule:
    """Build a schedule from ``{"name": ..., **parameters}``; ValueError names what is wrong."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"a schedule spec must be a mapping, got {type(spec).__name__}")
    name = spec.get("name")
    kind = SCHEDULES.get(name) if isinstance(name, str) else None
    if kind is None or not isinstance(name, str):
        raise ValueError(f"unknown schedule {name!r}; known: {', '.join(SCHEDULES)}")
    given = {key: value for key, value in spec.items() if key != "name"}
    unknown = sorted(str(key) for key in given if key not in kind.parameters)
    if unknown:
        raise ValueError(
            f"{name}: unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(kind.parameters)}"
        )
    params: dict[str, Any] = {}
    for key, rule in kind.parameters.items():
        if key not in given and rule.default is None:
            raise ValueError(f"{name}: missing required parameter {key!r}")
        params[key] = _checked(name, key, rule.kind, given.get(key, rule.default))
    if "eta_min" in params and params["eta_min"] > params["lr"]:
        raise ValueError(f"{name}: eta_min ({params['eta_min']}) must not exceed lr ({params['lr']})")
    return Schedule(name=name, params=MappingProxyType(params), _lr=kind.make(params))


def _checked(name: str, key: str, kind: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: {key} must be a number, got {value!r}")
    if kind == "count":
        if not float(value).is_integer() or value < 1:
            raise ValueError(f"{name}: {key} must be a whole number >= 1, got {value!r}")
        return int(cast(float, value))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: {key} must be finite, got {value!r}")
    if kind == "rate" and number < 0:
        raise ValueError(f"{name}: {key} must be >= 0, got {value!r}")
    # A decay factor outside (0, 1] would grow the lr or zero it at once: never what is meant.
    if kind == "factor" and not 0 < number <= 1:
        raise ValueError(f"{name}: {key} must be in (0, 1], got {value!r}")
    return number
