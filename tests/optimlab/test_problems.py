import math

import numpy as np
import pytest

from optimlab.problems import (
    PROBLEMS,
    get_problem,
    make_linear_regression,
    make_noisy_quadratic,
    make_quadratic,
)


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h * max(1.0, abs(x[i]))
        grad[i] = (f(x + step) - f(x - step)) / (2 * step[i])
    return grad


def sample_points(problem, count: int = 5) -> list[np.ndarray]:
    """The start plus seeded points spread over the plotting window."""
    rng = np.random.default_rng(7)
    xmin, xmax, ymin, ymax = problem.window
    points = [np.array(problem.start)]
    for _ in range(count):
        if problem.dim == 1:
            points.append(rng.uniform(xmin, xmax, size=1))
        else:
            points.append(np.array([rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)]))
    return points


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_exact_gradient_matches_central_differences(name):
    problem = get_problem(name)
    for x in sample_points(problem):
        expected = central_difference(problem.value, x)
        scale = max(1.0, float(np.max(np.abs(expected))))
        # tiny-gradients has |g| ~ 1e-6: compare relative to its own size, not to 1.
        if name == "tiny-gradients":
            scale = float(np.max(np.abs(expected)))
        assert np.allclose(problem.full_grad(x), expected, atol=1e-5 * scale, rtol=1e-5), (name, x)


@pytest.mark.parametrize("name", sorted(n for n, p in PROBLEMS.items() if not p.stochastic))
def test_deterministic_gradient_ignores_the_step(name):
    problem = get_problem(name)
    x = np.array(problem.start) + 0.3
    assert np.array_equal(problem.grad(x, step=0), problem.grad(x, step=17))
    assert np.array_equal(problem.grad(x), problem.full_grad(x))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_minimisers_are_stationary_with_the_stated_value(name):
    problem = get_problem(name)
    for point in problem.minimizers:
        assert np.max(np.abs(problem.full_grad(point))) < 1e-9, (name, point)
        assert problem.value(point) == pytest.approx(problem.min_value, abs=1e-12)
        # and nothing nearby is lower
        for direction in np.eye(problem.dim):
            assert problem.value(point + 1e-3 * direction) >= problem.min_value
            assert problem.value(point - 1e-3 * direction) >= problem.min_value


def test_himmelblau_lists_four_distinct_minimisers():
    points = get_problem("himmelblau").minimizers
    assert len(points) == 4
    assert len({tuple(np.round(p, 3)) for p in points}) == 4


def test_saddle_has_no_minimiser_and_says_so():
    saddle = get_problem("saddle")
    assert saddle.minimizers == ()
    assert saddle.min_value is None
    assert "no minimiser" in saddle.description
    assert saddle.value(np.array([0.0, 10.0])) < saddle.value(np.array([0.0, 0.0]))


def test_ill_conditioned_quadratic_is_the_d2l_function():
    problem = get_problem("ill-conditioned-quadratic")
    x = np.array([3.0, -1.5])
    assert problem.value(x) == pytest.approx(0.1 * 9 + 2 * 2.25)
    assert list(problem.start) == [-5.0, -2.0]


def test_parabola_starts_at_ten():
    problem = get_problem("parabola")
    assert problem.dim == 1 and list(problem.start) == [10.0]
    assert problem.value(np.array([3.0])) == 9.0


def test_make_quadratic_has_the_requested_eigenvalues_and_rotates_the_axes():
    problem = make_quadratic([2.0, 50.0], angle=math.pi / 4)
    assert np.allclose(np.linalg.eigvalsh(problem.hessian), [2.0, 50.0])
    assert abs(problem.hessian[0, 1]) > 1.0  # rotated: the valley no longer follows the axes
    assert np.allclose(make_quadratic([2.0, 50.0], angle=0.0).hessian, np.diag([2.0, 50.0]))


def test_make_quadratic_rejects_rotating_one_dimension():
    with pytest.raises(ValueError, match="1-D"):
        make_quadratic([1.0], angle=0.3)


def test_noisy_quadratic_is_reproducible_per_step_and_unbiased():
    problem = get_problem("noisy-quadratic")
    x = np.array([1.0, -2.0])
    assert np.array_equal(problem.grad(x, step=5), problem.grad(x, step=5))
    assert not np.array_equal(problem.grad(x, step=5), problem.grad(x, step=6))
    mean = np.mean([problem.grad(x, step=t) for t in range(4000)], axis=0)
    assert np.allclose(mean, problem.full_grad(x), atol=0.1)


def test_noisy_quadratic_without_noise_is_the_exact_gradient():
    problem = make_noisy_quadratic(noise_std=0.0)
    x = np.array([0.5, 2.0])
    assert np.allclose(problem.grad(x, step=3), central_difference(problem.value, x), atol=1e-6)


@pytest.mark.parametrize("name", ["linear-regression", "logistic-regression"])
def test_minibatch_gradients_average_to_the_full_gradient_over_an_epoch(name):
    problem = get_problem(name)
    x = np.array([0.3, -0.7])
    epoch = [problem.grad(x, step=t) for t in range(8)]  # 64 points, batches of 8
    assert not np.allclose(epoch[0], epoch[1])
    assert np.allclose(np.mean(epoch, axis=0), problem.full_grad(x), atol=1e-12)


def test_minibatches_are_reshuffled_each_epoch_but_reproducible():
    first = make_linear_regression(seed=3)
    second = make_linear_regression(seed=3)
    x = np.array([1.0, 1.0])
    assert np.array_equal(first.grad(x, step=9), second.grad(x, step=9))
    assert not np.allclose(first.grad(x, step=1), first.grad(x, step=9))


def test_tiny_gradients_really_are_tiny():
    problem = get_problem("tiny-gradients")
    size = np.linalg.norm(problem.grad(np.array(problem.start)))
    assert 1e-7 < size < 1e-5


def test_unknown_problem_lists_the_known_ones():
    with pytest.raises(ValueError, match="rosenbrock"):
        get_problem("banana")


def test_problems_cannot_be_changed_through_their_arrays():
    problem = get_problem("rosenbrock")
    with pytest.raises(ValueError):
        problem.start[0] = 99.0


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_vectorised_values_agree_with_the_pointwise_value(name):
    problem = get_problem(name)
    points = np.array(sample_points(problem))
    expected = [problem.value(p) for p in points]
    assert problem.values(points) == pytest.approx(expected, rel=1e-12)
    grid = np.stack([points, points])  # any leading shape works
    assert problem.values(grid).shape == (2, len(points))
