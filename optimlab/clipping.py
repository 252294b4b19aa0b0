"""Gradient clipping with torch.nn.utils semantics, as pure functions on NumPy arrays.

clip_by_value: every coordinate is clamped to [−c, c] (torch.nn.utils.clip_grad_value_).
clip_by_global_norm: all arrays are treated as one long vector (torch.nn.utils.clip_grad_norm_):

    total = ‖(‖g_1‖_p, ‖g_2‖_p, ...)‖_p
    scale = max_norm / (total + 1e-6), applied only when it is below 1

The 1e-6 keeps the division finite when every gradient is zero; it also means a clipped
gradient ends up a hair shorter than max_norm, exactly as in torch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

# torch.nn.utils.clip_grad_norm_ adds this to the norm before dividing.
NORM_EPSILON = 1e-6


def clip_by_value(grad: Any, clip_value: float) -> np.ndarray:
    """A copy of ``grad`` with every coordinate clamped to [−clip_value, clip_value]."""
    limit = _non_negative(clip_value, "clip_value")
    return np.clip(_as_array(grad, "grad"), -limit, limit)


def global_norm(grads: Sequence[Any], norm_type: float = 2.0) -> float:
    """The p-norm of all arrays taken together (``norm_type`` may be ``math.inf``)."""
    p = _norm_type(norm_type)
    arrays = [_as_array(g, "grads") for g in grads]
    if not arrays:
        return 0.0
    per_array = np.array([np.linalg.norm(a.ravel(), ord=p) for a in arrays])
    return float(np.linalg.norm(per_array, ord=p))


def clip_by_global_norm(
    grads: Sequence[Any], max_norm: float, norm_type: float = 2.0, *, error_if_nonfinite: bool = False
) -> tuple[list[np.ndarray], float]:
    """Rescaled copies of ``grads`` and the total norm measured before clipping.

    A non-finite total norm (a NaN or inf somewhere) raises ValueError when
    ``error_if_nonfinite``; otherwise, like torch, the arrays are scaled anyway (into NaNs),
    so the caller's divergence check sees them.
    """
    limit = _non_negative(max_norm, "max_norm")
    arrays = [_as_array(g, "grads") for g in grads]
    total = global_norm(arrays, norm_type)
    if not math.isfinite(total) and error_if_nonfinite:
        raise ValueError(f"the total gradient norm is {total}; cannot clip non-finite gradients")
    scale = min(limit / (total + NORM_EPSILON), 1.0)
    with np.errstate(invalid="ignore"):
        return [a * scale for a in arrays], total


def _as_array(value: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must hold real numbers ({error})") from None


def _non_negative(value: Any, what: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not cast(float, value) >= 0
        or math.isinf(value)
    ):
        raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
    return float(value)


def _norm_type(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not cast(float, value) > 0:
        raise ValueError(f"norm_type must be a positive number or math.inf, got {value!r}")
    return float(value)
