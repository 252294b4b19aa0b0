"""The numbers printed in the course's source material, reproduced by the reference optimizers.

d2l's momentum chapter: f(x) = 0.1·x1² + 2·x2² from (−5, −2), 20 updates, printed to 6 decimals.
The optimizer primer: J(θ) = θ² from θ = 10 with η = 0.1 and m ← β·m + η·g; θ ← θ − m, printed
to 4 decimals. Problems are written here so the test depends only on the optimizers.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optimizers import get_optimizer


def _ill_conditioned_gradient(x: np.ndarray) -> np.ndarray:
    return np.array([0.2 * x[0], 4 * x[1]])


def _path(name: str, gradient, start, hp: dict, steps: int) -> list[np.ndarray]:
    opt = get_optimizer(name)
    params = np.asarray(start, dtype=np.float64)
    state = opt.init(params)
    path = []
    for _ in range(steps):
        params, state = opt.update(params, gradient(params), state, hp)
        path.append(params)
    return path


@pytest.mark.parametrize(
    "name,hp,printed",
    [
        ("sgd", {"lr": 0.4}, (-0.943467, -0.000073)),
        ("sgd", {"lr": 0.6}, (-0.387814, -1673.365109)),
        ("momentum", {"lr": 0.6, "beta": 0.5}, (0.007188, 0.002553)),
        ("momentum", {"lr": 0.6, "beta": 0.25}, (-0.126340, -0.186632)),
    ],
)
def test_d2l_ill_conditioned_quadratic_after_20_steps(name, hp, printed):
    final = _path(name, _ill_conditioned_gradient, [-5.0, -2.0], hp, steps=20)[-1]
    assert tuple(round(float(x), 6) for x in final) == printed


def _parabola_gradient(theta: np.ndarray) -> np.ndarray:
    return 2 * theta


@pytest.mark.parametrize(
    "beta,printed",
    [
        (0.5, [8.0000, 5.4000, 3.0200, 1.2260, 0.0838]),
        (0.9, [8.0000, 4.6000, 0.6200, -3.0860, -5.8042, -7.0897, -6.8288, -5.2282, -2.7420, 0.0440]),
    ],
)
def test_primer_momentum_table_on_theta_squared(beta, printed):
    path = _path("momentum-lr-inside", _parabola_gradient, 10.0, {"lr": 0.1, "beta": beta}, len(printed))
    assert [round(float(theta), 4) for theta in path] == printed


def test_primer_table_without_momentum_needs_21_steps():
    path = _path("momentum-lr-inside", _parabola_gradient, 10.0, {"lr": 0.1, "beta": 0.0}, 21)
    rounded = [round(float(theta), 4) for theta in path]
    assert rounded[:3] == [8.0000, 6.4000, 5.1200]
    assert rounded[-1] == 0.0922
    # The primer stops once the loss θ² drops below 0.01: first at step 21 without momentum,
    # at step 5 with β = 0.5.
    assert [theta**2 < 1e-2 for theta in path].index(True) == 20
    with_momentum = _path("momentum-lr-inside", _parabola_gradient, 10.0, {"lr": 0.1, "beta": 0.5}, 21)
    assert [theta**2 < 1e-2 for theta in with_momentum].index(True) == 4
