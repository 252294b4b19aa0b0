"""The `Problem` record every test function is described by.

Parameters are always a flat float64 vector of length `dim`. Gradients take the step number (0 for the first
update) so that stochastic problems can draw the noise or minibatch of that step; deterministic problems
ignore it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Vector = np.ndarray
ValueFn = Callable[[Vector], float]
GradFn = Callable[..., Vector]  # grad(x, step=0) -> ndarray shaped like x


def frozen_vector(values: Any) -> np.ndarray:
    """A read-only float64 copy, so a shared Problem cannot be changed through its arrays."""
    array = np.array(values, dtype=np.float64).reshape(-1)
    array.setflags(write=False)
    return array


def scalar(values: Callable[[np.ndarray], np.ndarray]) -> ValueFn:
    """J(x) as a float, from a vectorised J over points shaped (..., dim)."""

    def value(x: np.ndarray) -> float:
        return float(values(np.asarray(x, dtype=np.float64)))

    return value


@dataclass(frozen=True)
class Problem:
    """An objective J(x) to minimise, with everything needed to run and draw it.

    `window` is (xmin, xmax, ymin, ymax): the plotting box for 2-D problems; for 1-D problems the first two
    entries bound θ and the last two bound J(θ). `minimizers` lists the global minimisers (empty when there
    is none, e.g. the saddle); `min_value` is J at them (None when unbounded below). `hessian` is the constant
    matrix Q of a quadratic ½xᵀQx (None for other problems); the stability analysis uses it.
    `full_grad` is the exact gradient of `value`; for deterministic problems it is the same as `grad`.
    """

    name: str
    title: str
    dim: int
    value: ValueFn
    grad: GradFn
    start: np.ndarray
    window: tuple[float, float, float, float]
    description: str
    minimizers: tuple[np.ndarray, ...] = ()
    min_value: float | None = None
    stochastic: bool = False
    hessian: np.ndarray | None = None
    full_grad: Callable[[Vector], Vector] | None = field(default=None, repr=False)
    # Contours of functions spanning many orders of magnitude (Rosenbrock) need log-spaced levels.
    log_contours: bool = False
    # How many contour lines to draw; bumpy landscapes get fewer so the picture (and the SVG) stays light.
    contour_levels: int = 18
    # Names of the two coordinates on a 2-D plot.
    axis_labels: tuple[str, str] = ("$x_1$", "$x_2$")
    # Optional vectorised J for many points at once, shape (..., dim) -> (...); plots use it for contour grids.
    batch_value: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.start.shape != (self.dim,):
            raise ValueError(f"{self.name}: start has shape {self.start.shape}, expected ({self.dim},)")
        for point in self.minimizers:
            if point.shape != (self.dim,):
                raise ValueError(f"{self.name}: a minimiser has shape {point.shape}, expected ({self.dim},)")
        if self.full_grad is None:
            object.__setattr__(self, "full_grad", self.grad)

    def values(self, points: np.ndarray) -> np.ndarray:
        """J at every point of an array shaped (..., dim)."""
        points = np.asarray(points, dtype=np.float64)
        if self.batch_value is not None:
            return np.asarray(self.batch_value(points), dtype=np.float64)
        flat = points.reshape(-1, self.dim)
        return np.array([self.value(p) for p in flat]).reshape(points.shape[:-1])

    @property
    def is_quadratic(self) -> bool:
        return self.hessian is not None


def vectorised_problem(
    values: Callable[[np.ndarray], np.ndarray],
    grad: GradFn,
    *,
    start: Any,
    minimizers: Any = (),
    **fields: Any,
) -> Problem:
    """A Problem from J vectorised over points shaped (..., dim): `dim` is the length of `start`, and the
    start and every minimiser become read-only vectors. The other fields are the Problem's own."""
    start_vector = frozen_vector(start)
    return Problem(
        dim=start_vector.size,
        value=scalar(values),
        batch_value=values,
        grad=grad,
        start=start_vector,
        minimizers=tuple(frozen_vector(point) for point in minimizers),
        **fields,
    )
