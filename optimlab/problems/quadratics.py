"""Quadratic bowls J(x) = ½ xᵀQx: the problems whose behaviour the stability analysis predicts exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from optimlab.problems.base import Problem, frozen_vector


def quadratic_problem(
    *,
    name: str,
    title: str,
    hessian: npt.ArrayLike,
    start: npt.ArrayLike,
    window: tuple[float, float, float, float],
    description: str,
    log_contours: bool = False,
) -> Problem:
    """Build ½xᵀQx for a symmetric Q. The minimiser (the origin) is only listed when Q is positive definite."""
    q = np.array(hessian, dtype=np.float64)
    if q.ndim != 2 or q.shape[0] != q.shape[1]:
        raise ValueError(f"hessian must be a square matrix, got shape {q.shape}")
    if not np.allclose(q, q.T):
        raise ValueError("hessian must be symmetric")
    q.setflags(write=False)
    dim = q.shape[0]
    positive_definite = bool(np.linalg.eigvalsh(q).min() > 0)

    def value(x: np.ndarray) -> float:
        return float(0.5 * x @ q @ x)

    def grad(x: np.ndarray, step: int = 0) -> np.ndarray:
        return q @ x

    def batch_value(points: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("...i,ij,...j->...", points, q, points)

    return Problem(
        name=name,
        title=title,
        dim=dim,
        value=value,
        grad=grad,
        start=frozen_vector(start),
        window=window,
        description=description,
        minimizers=(frozen_vector(np.zeros(dim)),) if positive_definite else (),
        min_value=0.0 if positive_definite else None,
        hessian=q,
        log_contours=log_contours,
        batch_value=batch_value,
    )


def rotation(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def make_quadratic(
    eigenvalues: Sequence[float] = (1.0, 10.0),
    angle: float = math.pi / 6,
    *,
    start: Sequence[float] | None = None,
    name: str = "quadratic",
) -> Problem:
    """½xᵀQx with Q = R diag(eigenvalues) Rᵀ, R a rotation by `angle` (radians) in the (x1, x2) plane.

    Rotating the axes is what makes the valley diagonal, so per-coordinate methods (Adam, AdaGrad) no longer
    line up with it. With more than two eigenvalues the remaining axes are left unrotated.
    """
    eig = np.array(eigenvalues, dtype=np.float64)
    if eig.ndim != 1 or eig.size < 1:
        raise ValueError("eigenvalues must be a non-empty list of numbers")
    if not np.all(np.isfinite(eig)):
        raise ValueError("eigenvalues must be finite")
    dim = eig.size
    r = np.eye(dim)
    if dim >= 2:
        r[:2, :2] = rotation(angle)
    elif angle:
        raise ValueError("a 1-D quadratic cannot be rotated")
    q = r @ np.diag(eig) @ r.T
    q = 0.5 * (q + q.T)  # exact symmetry despite rounding
    if start is None:
        start = [-4.0, 3.0] + [2.0] * (dim - 2) if dim >= 2 else [4.0]
    listed = ", ".join(f"{v:g}" for v in eig)
    kappa = eig.max() / eig.min() if eig.min() > 0 else math.inf
    return quadratic_problem(
        name=name,
        title=f"Rotated quadratic (eigenvalues {listed})",
        hessian=q,
        start=start,
        window=(-5.0, 5.0, -5.0, 5.0),
        description=(
            f"$J(x)=\\tfrac12 x^\\top Q x$ with eigenvalues {listed} (condition number {kappa:.3g}), "
            f"axes rotated by {math.degrees(angle):.0f}°. Minimum $0$ at the origin when all eigenvalues are positive."
        ),
    )


def parabola() -> Problem:
    return quadratic_problem(
        name="parabola",
        title="Parabola J(θ) = θ²",
        hessian=[[2.0]],
        start=[10.0],
        window=(-12.0, 12.0, 0.0, 144.0),
        description=(
            "$J(\\theta)=\\theta^2$, gradient $2\\theta$, minimum $0$ at $\\theta=0$. "
            "Gradient descent multiplies θ by $1-2\\eta$ each step, so it converges iff $0<\\eta<1$."
        ),
    )


def ill_conditioned_quadratic() -> Problem:
    return quadratic_problem(
        name="ill-conditioned-quadratic",
        title="Ill-conditioned quadratic 0.1x₁² + 2x₂²",
        hessian=[[0.2, 0.0], [0.0, 4.0]],
        start=[-5.0, -2.0],
        window=(-5.5, 2.0, -3.0, 3.0),
        description=(
            "$J(x)=0.1x_1^2+2x_2^2$: curvatures $0.2$ and $4$ (condition number 20). Gradient descent "
            "converges only for $\\eta<0.5$, so $\\eta=0.6$ blows up along $x_2$ while momentum with "
            "$\\beta=0.5$ still converges."
        ),
    )


def saddle() -> Problem:
    return quadratic_problem(
        name="saddle",
        title="Saddle x² − y²",
        hessian=[[2.0, 0.0], [0.0, -2.0]],
        start=[-4.0, 0.01],
        window=(-5.0, 5.0, -5.0, 5.0),
        description=(
            "$J(x,y)=x^2-y^2$ has a saddle point at the origin and no minimiser: it is unbounded below "
            "along $y$. Starting just off the ridge, gradient descent first slides towards the saddle, then "
            "escapes along $y$ ever faster; the run ends when the iterate leaves any sensible range."
        ),
    )


def tiny_gradients() -> Problem:
    scale = 1e-6
    return quadratic_problem(
        name="tiny-gradients",
        title="Tiny gradients 10⁻⁶·½‖x‖²",
        hessian=np.eye(2) * scale,
        start=[1.0, 0.5],
        window=(-1.5, 1.5, -1.5, 1.5),
        description=(
            "$J(x)=10^{-6}\\cdot\\tfrac12\\lVert x\\rVert^2$: gradients of size about $10^{-6}$, close to the "
            "usual $\\epsilon=10^{-8}$ once squared. Whether ε is added to $\\sqrt{v}$ or inside the square "
            "root changes Adam's and RMSProp's step by orders of magnitude here."
        ),
    )
