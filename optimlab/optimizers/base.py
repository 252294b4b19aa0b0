"""The shape every reference optimizer shares, and the checks that guard it.

An optimizer is a pair of pure functions in the style of optax:

    state = opt.init(params)
    new_params, new_state = opt.update(params, grads, state, hp)

Nothing is mutated: ``update`` reads its inputs and returns fresh arrays, so a run can be
replayed from any saved state and two states can be compared field by field. The state is a
plain ``dict`` of float64 arrays (same shape as the parameter) plus a few plain numbers (the
step counter ``step`` and, for NAdam, ``mu_product``), which makes it easy to serialise.

The algorithm modules only write the arithmetic of one step (a "step function" that receives
clean float64 arrays and a complete, validated ``dict`` of floats); ``define_optimizer`` wraps it
with the input checks so each algorithm reads like its equations.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

State = dict[str, Any]
StepFunction = Callable[[np.ndarray, np.ndarray, State, dict[str, float]], tuple[np.ndarray, State]]
# For an optimizer whose buffers are not shaped like the parameter (Adafactor's row and column
# factors): the shape of each buffer it keeps for a parameter of a given shape.
StateShapes = Callable[[tuple[int, ...]], dict[str, tuple[int, ...]]]

# Allowed range of every hyperparameter name we use: (low, high, high_is_inclusive). Every
# lower bound is inclusive. lr = 0 is allowed (torch allows it, and a frozen run is a fine
# demonstration); decay rates must stay below 1 or the averages never forget anything.
HYPERPARAMETER_RANGES: Mapping[str, tuple[float, float, bool]] = MappingProxyType(
    {
        "lr": (0.0, math.inf, False),
        "beta": (0.0, 1.0, False),
        "beta1": (0.0, 1.0, False),
        "beta2": (0.0, 1.0, False),
        "eps": (0.0, math.inf, False),
        "weight_decay": (0.0, math.inf, False),
        # Adafactor: β2_t = 1 − t^decay must stay in [0, 1), so the exponent is never positive;
        # its update clipping only ever shrinks a step, so the threshold is at least 1 (as torch).
        "beta2_decay": (-math.inf, 0.0, True),
        "eps1": (0.0, math.inf, False),
        "eps2": (0.0, math.inf, False),
        "clip_threshold": (1.0, math.inf, False),
        # LARS: the trust coefficient η of the local learning rate.
        "trust_coefficient": (0.0, math.inf, False),
    }
)


@dataclass(frozen=True)
class Optimizer:
    """A named reference optimizer.

    ``defaults`` is read-only (copy it with ``dict(opt.defaults)`` before changing it).
    ``equations`` are LaTeX lines, one per line of the update, for display next to a run.
    ``reference`` says which published implementation the numbers follow.
    """

    name: str
    hyperparameters: tuple[str, ...]
    defaults: Mapping[str, float]
    init: Callable[[Any], State]
    update: Callable[..., tuple[np.ndarray, State]]
    equations: tuple[str, ...]
    reference: str = ""
    state_arrays: tuple[str, ...] = field(default=())
    state_shapes: StateShapes | None = None  # None: every buffer is shaped like the parameter

    def buffer_shapes(self, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
        """The buffers this optimizer keeps for a parameter of ``shape``, with their shapes."""
        return _buffer_shapes(self.state_arrays, self.state_shapes, shape)

    def resolve_hyperparameters(self, hp: Mapping[str, Any] | None = None) -> dict[str, float]:
        """The complete hyperparameter dict ``update`` would use for ``hp`` (or ValueError)."""
        return resolve_hyperparameters(self.name, self.defaults, hp)


def _buffer_shapes(
    state_arrays: tuple[str, ...], state_shapes: StateShapes | None, shape: tuple[int, ...]
) -> dict[str, tuple[int, ...]]:
    if state_shapes is None:
        return {key: shape for key in state_arrays}
    return state_shapes(shape)


def resolve_hyperparameters(
    name: str, defaults: Mapping[str, float], hp: Mapping[str, Any] | None
) -> dict[str, float]:
    """Fill missing keys from ``defaults`` and check every value; raise ValueError on bad input."""
    if hp is None:
        hp = {}
    if not isinstance(hp, Mapping):
        raise ValueError(f"{name}: hyperparameters must be a mapping, got {type(hp).__name__}")
    accepted = ", ".join(defaults)
    unknown = sorted(str(key) for key in hp if key not in defaults)
    if unknown:
        raise ValueError(
            f"{name}: unknown hyperparameter(s) {', '.join(unknown)}; accepted: {accepted or 'none'}"
        )
    resolved: dict[str, float] = {}
    for key, default in defaults.items():
        resolved[key] = _checked_value(name, key, hp.get(key, default))
    return resolved


def _checked_value(name: str, key: str, value: Any) -> float:
    # bool is an int subclass; True as a learning rate is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: {key} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: {key} must be finite, got {number!r}")
    low, high, high_inclusive = HYPERPARAMETER_RANGES[key]
    too_high = number > high if high_inclusive else number >= high
    if number < low or too_high:
        closing = "]" if high_inclusive else ")"
        raise ValueError(f"{name}: {key}={number!r} is outside [{low:g}, {high:g}{closing}")
    return number


def add_l2(grad: np.ndarray, theta: np.ndarray, weight_decay: float) -> np.ndarray:
    """g + λ·θ, the L2 ("coupled") weight decay torch adds to the gradient.

    Like torch, skip the add when λ = 0 so a zero decay stays exact even if θ holds inf.
    """
    return grad + weight_decay * theta if weight_decay != 0 else grad


def as_float_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a float64 ndarray (0-d for a scalar); ValueError for anything non-numeric."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    if np.iscomplexobj(value):
        raise ValueError(f"{what} must be real, got complex values")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be an array of real numbers ({error})") from None


def define_optimizer(
    *,
    name: str,
    defaults: Mapping[str, float],
    step: StepFunction,
    equations: tuple[str, ...],
    state_arrays: tuple[str, ...] = (),
    state_scalars: Mapping[str, int | float] | None = None,
    reference: str = "",
    state_shapes: StateShapes | None = None,
) -> Optimizer:
    """Wrap a step function with validation and build the ``Optimizer``.

    ``state_arrays`` name the per-parameter buffers (initialised to zeros); ``state_scalars``
    give the initial value of each scalar entry (ints stay ints). ``state_shapes``, when given,
    says which of ``state_arrays`` a parameter of a given shape keeps, and their shapes.
    """
    unknown = [key for key in defaults if key not in HYPERPARAMETER_RANGES]
    if unknown:
        raise ValueError(f"{name}: no range declared for hyperparameter(s) {unknown}")
    frozen_defaults = MappingProxyType(dict(defaults))
    scalars = dict(state_scalars or {})

    def init(params: Any) -> State:
        shape = as_float_array(params, f"{name}: params").shape
        buffers = _buffer_shapes(state_arrays, state_shapes, shape)
        state: State = {key: np.zeros(buffer, dtype=np.float64) for key, buffer in buffers.items()}
        state.update(scalars)
        return state

    def update(
        params: Any, grads: Any, state: Mapping[str, Any], hp: Mapping[str, Any] | None = None
    ) -> tuple[np.ndarray, State]:
        resolved = resolve_hyperparameters(name, frozen_defaults, hp)
        theta = as_float_array(params, f"{name}: params")
        grad = as_float_array(grads, f"{name}: grads")
        if grad.shape != theta.shape:
            raise ValueError(f"{name}: grads have shape {grad.shape} but params have shape {theta.shape}")
        buffers = _buffer_shapes(state_arrays, state_shapes, theta.shape)
        current = _checked_state(name, state, buffers, scalars)
        new_theta, new_state = step(theta, grad, current, resolved)
        # NumPy turns 0-d results into scalars; hand back arrays so callers never special-case.
        for key in buffers:
            new_state[key] = np.asarray(new_state[key], dtype=np.float64)
        return np.asarray(new_theta, dtype=np.float64), new_state

    init.__doc__ = f"Fresh {name} state for a parameter shaped like ``params``."
    update.__doc__ = step.__doc__
    return Optimizer(
        name=name,
        hyperparameters=tuple(frozen_defaults),
        defaults=frozen_defaults,
        init=init,
        update=update,
        equations=equations,
        reference=reference,
        state_arrays=state_arrays,
        state_shapes=state_shapes,
    )


def _checked_state(
    name: str,
    state: Any,
    buffers: Mapping[str, tuple[int, ...]],
    scalars: Mapping[str, int | float],
) -> State:
    """A validated shallow copy of ``state`` (arrays as float64, counters as int)."""
    if not isinstance(state, Mapping):
        raise ValueError(f"{name}: state must be a mapping from {name}.init, got {type(state).__name__}")
    expected = set(buffers) | set(scalars)
    if set(state) != expected:
        raise ValueError(
            f"{name}: state has keys {sorted(state)} but {name} keeps {sorted(expected)};"
            f" was it made by another optimizer's init?"
        )
    checked: State = {}
    for key, shape in buffers.items():
        array = as_float_array(state[key], f"{name}: state[{key!r}]")
        if array.shape != shape:
            raise ValueError(f"{name}: state[{key!r}] has shape {array.shape}, expected {shape}")
        checked[key] = array
    for key, initial in scalars.items():
        value = state[key]
        if isinstance(initial, int):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{name}: state[{key!r}] must be a non-negative int, got {value!r}")
            checked[key] = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"{name}: state[{key!r}] must be a finite number, got {value!r}")
            checked[key] = float(value)
    return checked
