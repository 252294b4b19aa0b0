"""Reference optimizers: pure, float64, one parameter array at a time.

    from optimlab.optimizers import get_optimizer, OPTIMIZERS
    opt = get_optimizer("adam")
    state = opt.init(params)
    new_params, new_state = opt.update(params, grads, state, {"lr": 0.01})

Every optimizer with a torch.optim twin follows it exactly (defaults, update order, where ε
goes); tests/optimlab/goldens holds torch trajectories that the tests replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import adafactor, adam_family, adaptive, lamb, lars, lion, sgd_family
from .base import HYPERPARAMETER_RANGES, Optimizer, State

__all__ = ["HYPERPARAMETER_RANGES", "OPTIMIZERS", "Optimizer", "State", "get_optimizer"]


def _registry() -> Mapping[str, Optimizer]:
    optimizers = [
        *sgd_family.build(),
        *adaptive.build(),
        *adam_family.build(),
        *lion.build(),
        *lamb.build(),
        *lars.build(),
        *adafactor.build(),
    ]
    by_name = {opt.name: opt for opt in optimizers}
    if len(by_name) != len(optimizers):
        raise RuntimeError("two optimizers share a name")
    return MappingProxyType(by_name)


OPTIMIZERS: Mapping[str, Optimizer] = _registry()


def get_optimizer(name: str) -> Optimizer:
    """The optimizer called ``name`` (case and ``_``/``-`` insensitive); ValueError if unknown."""
    key = name.strip().lower().replace("_", "-") if isinstance(name, str) else name
    try:
        return OPTIMIZERS[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None
