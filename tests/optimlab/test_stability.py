import math

import numpy as np
import pytest

from optimlab.problems import get_problem, make_quadratic
from optimlab.stability import (
    analyse_quadratic,
    analyse_run,
    contraction,
    momentum_matrix,
    spectral_radius,
)

D2L_Q = [[0.2, 0.0], [0.0, 4.0]]  # 0.1 x1² + 2 x2² = ½ xᵀQx


def simulate_heavy_ball(lam: float, lr: float, beta: float, steps: int) -> list[float]:
    """|x_t| for heavy ball on ½λx², written out independently of the module under test."""
    x, v, sizes = 1.0, 0.0, []
    for _ in range(steps):
        v = beta * v + lam * x
        x = x - lr * v
        sizes.append(abs(x))
    return sizes


def test_d2l_quadratic_gradient_descent_converges_only_below_half():
    analysis = analyse_quadratic(D2L_Q)
    assert analysis.eigenvalues == (0.2, 4.0)
    assert analysis.condition_number == pytest.approx(20.0)
    assert analysis.gd_max_lr == pytest.approx(0.5)
    assert analyse_quadratic(D2L_Q, lr=0.4, method="sgd").converges
    assert not analyse_quadratic(D2L_Q, lr=0.6, method="sgd").converges


def test_lr_point_six_grows_the_x2_error_by_one_point_four_per_step():
    analysis = analyse_quadratic(D2L_Q, lr=0.6, method="sgd")
    assert analysis.factors == pytest.approx((0.88, 1.4))
    assert analysis.predicted_contraction == pytest.approx(1.4)


def test_optimal_gradient_descent_rate_from_the_condition_number():
    analysis = analyse_quadratic(D2L_Q)
    assert analysis.gd_optimal_lr == pytest.approx(2 / 4.2)
    assert analysis.gd_optimal_rate == pytest.approx(19 / 21)
    # at the optimal rate both extreme directions shrink by the same factor
    tuned = analyse_quadratic(D2L_Q, lr=analysis.gd_optimal_lr, method="sgd")
    assert tuned.factors[0] == pytest.approx(tuned.factors[1])
    assert tuned.predicted_contraction == pytest.approx(19 / 21)


def test_momentum_widens_the_stable_range_to_two_plus_two_beta():
    analysis = analyse_quadratic(D2L_Q, lr=0.6, beta=0.5)
    assert analysis.momentum_max_lr == pytest.approx(3.0 / 4.0)
    assert analysis.converges
    assert not analyse_quadratic(D2L_Q, lr=0.76, beta=0.5).converges
    assert analyse_quadratic(D2L_Q, lr=0.74, beta=0.5).converges


def test_momentum_contraction_is_the_spectral_radius_of_the_two_by_two_matrix():
    # Complex eigenvalues of the momentum matrix have modulus √β, as the characteristic polynomial's constant is β.
    assert spectral_radius(momentum_matrix(4.0, 0.6, 0.5)) == pytest.approx(math.sqrt(0.5))


@pytest.mark.parametrize(
    "lam,lr,beta", [(4.0, 0.6, 0.5), (0.2, 0.6, 0.25), (4.0, 0.6, 0.25), (1.0, 1.9, 0.9)]
)
def test_predicted_contraction_matches_a_simulation(lam, lr, beta):
    sizes = simulate_heavy_ball(lam, lr, beta, 400)
    observed = (sizes[-1] / sizes[-101]) ** (1 / 100)
    assert observed == pytest.approx(contraction([lam], lr, beta), rel=0.02)


def test_saddle_has_no_stable_learning_rate():
    analysis = analyse_quadratic(get_problem("saddle").hessian, lr=0.1, method="sgd")
    assert not analysis.positive_definite
    assert analysis.gd_max_lr is None and analysis.converges is False
    assert analysis.to_dict()["condition_number"] is None
    assert analysis.notes


def test_rotation_does_not_change_the_analysis():
    turned = analyse_quadratic(make_quadratic([1.0, 10.0], angle=0.7).hessian)
    straight = analyse_quadratic(np.diag([1.0, 10.0]))
    assert turned.gd_max_lr == pytest.approx(straight.gd_max_lr)
    assert turned.condition_number == pytest.approx(10.0)


def test_ema_momentum_is_heavy_ball_with_a_smaller_learning_rate():
    ema = analyse_run(D2L_Q, "momentum-ema", {"lr": 0.6, "beta": 0.5})
    heavy = analyse_run(D2L_Q, "momentum", {"lr": 0.3, "beta": 0.5})
    assert ema.predicted_contraction == pytest.approx(heavy.predicted_contraction)


def test_adaptive_optimizers_are_not_analysed():
    assert analyse_run(D2L_Q, "adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}) is None


def test_to_dict_is_plain_json_data():
    import json

    data = analyse_quadratic(D2L_Q, lr=0.6, beta=0.5).to_dict()
    assert json.loads(json.dumps(data)) == data


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="symmetric"):
        analyse_quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="beta"):
        analyse_quadratic(D2L_Q, lr=0.1, beta=1.5)


def test_weight_decay_shifts_every_eigenvalue():
    plain = analyse_run(D2L_Q, "sgd", {"lr": 0.45, "weight_decay": 0.0})
    decayed = analyse_run(D2L_Q, "sgd", {"lr": 0.45, "weight_decay": 1.0})
    assert plain.converges and not decayed.converges  # 0.45 · (4 + 1) > 2
    assert decayed.eigenvalues == pytest.approx((1.2, 5.0))


@pytest.mark.parametrize(
    "optimizer,hp",
    [
        ("sgd", {"lr": 0.45}),
        ("momentum", {"lr": 0.6, "beta": 0.5}),
        ("momentum", {"lr": 0.3, "beta": 0.8}),
        ("momentum-ema", {"lr": 0.9, "beta": 0.6}),
        ("momentum-lr-inside", {"lr": 0.2, "beta": 0.7}),
        ("nesterov", {"lr": 0.3, "beta": 0.6}),
    ],
)
def test_prediction_matches_the_reference_optimizers_on_the_quadratic(optimizer, hp):
    from optimlab.runner import run_optimizer

    problem = get_problem("ill-conditioned-quadratic")
    run = run_optimizer(optimizer, problem, hp, steps=160)
    predicted = analyse_run(problem.hessian, optimizer, run.hp).predicted_contraction
    # The slowest direction dominates late in the run: the error norm shrinks by the predicted factor per step.
    norms = np.linalg.norm(run.trajectory, axis=1)
    observed = (norms[-1] / norms[-61]) ** (1 / 60)
    assert observed == pytest.approx(predicted, rel=0.03)
