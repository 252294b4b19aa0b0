"""Answer keys: the trusted optimizer an exercise's `reference_optimizer` names.

`reference_optimizer(name)` gives an optimlab optimizer, or one of `COMPOSED_REFERENCES` (plain
optimlab SGD driven by an optimlab schedule or clipping) for exercises whose `step` takes
hyperparameters no optimlab optimizer has. Trusted side only: the sandbox zygote refuses to start
with this module loaded.
"""

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from grading.cases import COUNT_HYPERPARAMETERS, with_count_types
from optimlab.clipping import clip_by_global_norm
from optimlab.one_cycle import OneCycle, one_cycle
from optimlab.optimizers import OPTIMIZERS, get_optimizer
from optimlab.schedules import build_schedule


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
        resolved: dict[str, Any] = {}  # the caller's numbers as given (int or float)
        for key, default in self.defaults.items():
            value = hp.get(key, default)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"{self.name}: {key} must be a finite number, got {value!r}")
            if key in COUNT_HYPERPARAMETERS and (not float(value).is_integer() or value < 1):
                raise ValueError(f"{self.name}: {key} must be a whole number >= 1, got {value!r}")
            if value < 0:
                raise ValueError(f"{self.name}: {key} must be >= 0, got {value!r}")
            resolved[key] = value
        counted = with_count_types(resolved)
        self.check(counted)
        return counted

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


def _sgd_accumulate() -> ComposedReference:
    """SGD that steps once every `accumulation_steps` calls, along the mean of the gradients seen
    since its last step: micro-batches adding up to one large batch (as `loss / k` and one
    `optimizer.step()` every k backward passes do in torch). Between steps θ does not move."""
    sgd = get_optimizer("sgd")

    def init(params):
        return {"sum": np.zeros_like(np.asarray(params, dtype=np.float64)), "count": 0}

    def step(params, grads, state, hp):
        total = state["sum"] + grads
        count = state["count"] + 1
        if count < hp["accumulation_steps"]:
            return np.array(params, dtype=np.float64), {"sum": total, "count": count}
        new_params, _ = sgd.update(params, total / count, sgd.init(params), {"lr": hp["lr"]})
        return new_params, {"sum": np.zeros_like(total), "count": 0}

    return ComposedReference(
        name="sgd-accumulate",
        defaults=MappingProxyType({"lr": 0.1, "accumulation_steps": 4}),
        init=init,
        step=step,
        check=lambda hp: None,  # a whole number >= 1 is all it needs, checked for every count
    )


def _adamw_cosine() -> ComposedReference:
    """optimlab's AdamW at the lr of optimlab's cosine schedule (torch's AdamW stepped by
    CosineAnnealingLR(T_max=total_steps, eta_min=min_lr)): the decay θ·(1 − lr_t·λ) follows the
    schedule because AdamW multiplies λ by the lr it is given. AdamW's own counter drives both the
    bias corrections and the schedule (t = 1 on the first call)."""
    adamw = get_optimizer("adamw")
    adam_keys = ("beta1", "beta2", "eps", "weight_decay")

    def schedule(hp: dict[str, float]):
        return build_schedule(
            {"name": "cosine", "lr": hp["lr"], "T_max": hp["total_steps"], "eta_min": hp["min_lr"]}
        )

    def step(params, grads, state, hp):
        lr_t = schedule(hp).lr_at(state["step"] + 1)
        return adamw.update(params, grads, state, {**{key: hp[key] for key in adam_keys}, "lr": lr_t})

    def check(hp: dict[str, float]) -> None:
        adamw.resolve_hyperparameters({key: hp[key] for key in (*adam_keys, "lr")})  # β < 1 and the like
        schedule(hp)  # build_schedule names a bad combination (min_lr above lr)

    return ComposedReference(
        name="adamw-cosine",
        defaults=MappingProxyType({**adamw.defaults, "total_steps": 100, "min_lr": 0.0}),
        init=adamw.init,
        step=step,
        check=check,
    )


def _sgd_one_cycle() -> ComposedReference:
    """optimlab's momentum SGD (torch's convention) at the lr and momentum that optimlab's one-cycle
    policy gives each update (torch's SGD driven by OneCycleLR with cycle_momentum=True)."""
    momentum = get_optimizer("momentum")
    policy_keys = (
        "total_steps",
        "pct_start",
        "div_factor",
        "final_div_factor",
        "base_momentum",
        "max_momentum",
    )

    def init(params):
        return {**momentum.init(params), "t": 0}

    def step(params, grads, state, hp):
        t = state["t"] + 1
        lr, beta = one_cycle(t, lr=hp["lr"], **{key: hp[key] for key in policy_keys})
        new_params, inner = momentum.update(params, grads, {"v": state["v"]}, {"lr": lr, "beta": beta})
        return new_params, {**inner, "t": t}

    def check(hp):  # total_steps arrives as an int (a count hyperparameter)
        OneCycle(hp["lr"], *(hp[key] for key in policy_keys))  # ValueError for settings that make no cycle

    return ComposedReference(
        name="sgd-one-cycle",
        defaults=MappingProxyType(
            {
                "lr": 0.1,
                "total_steps": 100,
                "pct_start": 0.3,
                "div_factor": 25.0,
                "final_div_factor": 1e4,
                "base_momentum": 0.85,
                "max_momentum": 0.95,
            }
        ),
        init=init,
        step=step,
        check=check,
    )


COMPOSED_REFERENCES: Mapping[str, Callable[[], ComposedReference]] = MappingProxyType(
    {
        "sgd-warmup-cosine": _sgd_warmup_cosine,
        "sgd-clip-norm": _sgd_clip_norm,
        "sgd-accumulate": _sgd_accumulate,
        "adamw-cosine": _adamw_cosine,
        "sgd-one-cycle": _sgd_one_cycle,
    }
)


def reference_optimizer(name: str):
    """The optimizer an exercise's `reference_optimizer` names: a composed one above, else optimlab's.

    ValueError lists every known name.
    """
    if isinstance(name, str) and name in COMPOSED_REFERENCES:
        return _composed_reference(name)
    try:
        return get_optimizer(name)
    except ValueError:
        known = ", ".join([*OPTIMIZERS, *COMPOSED_REFERENCES])
        raise ValueError(f"unknown optimizer {name!r}; known: {known}") from None


@cache
def _composed_reference(name: str) -> ComposedReference:
    return COMPOSED_REFERENCES[name]()
