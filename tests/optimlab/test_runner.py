import json
import math

import numpy as np
import pytest

from optimlab.runner import (
    MAX_STEPS,
    parse_hyperparameters,
    parse_vector,
    run_optimizer,
)


class LocalSGD:
    """A minimal optimizer honouring the optimizer contract, so the runner is tested on its own."""

    name = "local-sgd"
    hyperparameters = ("lr",)
    defaults = {"lr": 0.01}

    def init(self, params):
        return {}

    def update(self, params, grads, state, hp):
        return params - hp["lr"] * grads, state


class LocalMomentum:
    name = "local-momentum"
    hyperparameters = ("lr", "beta")
    defaults = {"lr": 0.01, "beta": 0.9}

    def init(self, params):
        return {"v": np.zeros_like(params)}

    def update(self, params, grads, state, hp):
        v = hp["beta"] * state["v"] + grads
        return params - hp["lr"] * v, {"v": v}


def test_trajectory_starts_at_the_start_and_has_one_row_per_step():
    result = run_optimizer(LocalSGD(), "ill-conditioned-quadratic", {"lr": 0.1}, steps=15)
    assert result.trajectory.shape == (16, 2)
    assert list(result.trajectory[0]) == [-5.0, -2.0]
    assert result.loss.shape == (16,)
    assert result.loss[0] == pytest.approx(0.1 * 25 + 2 * 4)
    assert result.diverged_at is None and result.steps_taken == 15


def test_d2l_gradient_descent_numbers_after_twenty_steps():
    result = run_optimizer(LocalSGD(), "ill-conditioned-quadratic", {"lr": 0.4}, steps=20)
    assert result.trajectory[-1] == pytest.approx([-0.943467, -0.000073], abs=1e-6)


def test_d2l_learning_rate_point_six_blows_up_along_x2():
    result = run_optimizer(LocalSGD(), "ill-conditioned-quadratic", {"lr": 0.6}, steps=20)
    assert result.trajectory[-1] == pytest.approx([-0.387814, -1673.365109], abs=1e-6)
    assert result.loss[-1] > result.loss[0]


def test_d2l_momentum_rescues_learning_rate_point_six():
    result = run_optimizer(LocalMomentum(), "ill-conditioned-quadratic", {"lr": 0.6, "beta": 0.5}, steps=20)
    assert result.trajectory[-1] == pytest.approx([0.007188, 0.002553], abs=1e-6)


def test_missing_hyperparameters_take_the_defaults():
    result = run_optimizer(LocalMomentum(), "parabola", {"lr": 0.1}, steps=1)
    assert result.hp == {"lr": 0.1, "beta": 0.9}


def test_divergence_stops_the_run_at_the_step_it_passes_the_bound():
    # On θ² each step multiplies θ by (1 − 2η) = −9: 10·9⁵ ≈ 5.9e5 is still inside 1e6, 10·9⁶ ≈ 5.3e6 is not.
    result = run_optimizer(LocalSGD(), "parabola", {"lr": 5.0}, steps=100)
    assert result.diverged_at == 6
    assert result.steps_taken == 6
    assert abs(result.trajectory[-1][0]) > 1e6
    assert np.all(np.isfinite(result.trajectory)) and np.all(np.isfinite(result.loss))
    assert "diverged at step 6" in result.message


def test_a_jump_straight_to_infinity_is_dropped_from_the_trajectory():
    result = run_optimizer(LocalSGD(), "parabola", {"lr": 1e308}, steps=10)
    assert result.diverged_at == 1
    assert result.trajectory.shape == (1, 1)
    assert "inf/NaN" in result.message


def test_a_loss_that_overflows_counts_as_divergence():
    result = run_optimizer(
        LocalSGD(), "rosenbrock", {"lr": 0.01}, steps=50, start=[50.0, 0.0], divergence_bound=1e300
    )
    assert result.diverged_at is not None
    assert np.all(np.isfinite(result.loss))


def test_the_saddle_escapes_and_is_reported():
    result = run_optimizer(LocalSGD(), "saddle", {"lr": 0.1}, steps=10_000)
    assert result.diverged_at is not None
    assert result.loss[-1] < -1e10


def test_steps_are_bounded():
    with pytest.raises(ValueError, match=str(MAX_STEPS)):
        run_optimizer(LocalSGD(), "parabola", {}, steps=MAX_STEPS + 1)
    with pytest.raises(ValueError):
        run_optimizer(LocalSGD(), "parabola", {}, steps=-1)
    with pytest.raises(ValueError, match="whole number"):
        run_optimizer(LocalSGD(), "parabola", {}, steps=2.5)


def test_start_of_the_wrong_dimension_is_a_clear_error():
    with pytest.raises(ValueError, match="2 coordinates for rosenbrock, got 3"):
        run_optimizer(LocalSGD(), "rosenbrock", {}, steps=1, start=[1, 2, 3])


def test_unknown_hyperparameter_names_what_the_optimizer_takes():
    with pytest.raises(ValueError, match="does not take beta1; it takes: lr"):
        run_optimizer(LocalSGD(), "parabola", {"beta1": 0.9}, steps=1)


def test_non_numeric_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="number"):
        run_optimizer(LocalSGD(), "parabola", {"lr": "fast"}, steps=1)
    with pytest.raises(ValueError, match="finite"):
        run_optimizer(LocalSGD(), "parabola", {"lr": math.nan}, steps=1)


def test_the_schedule_sets_the_learning_rate_of_each_step():
    seen = []

    class Recorder(LocalSGD):
        def update(self, params, grads, state, hp):
            if np.any(grads):  # the runner's up-front check of the hyperparameters passes a zero gradient
                seen.append(hp["lr"])
            return super().update(params, grads, state, hp)

    run_optimizer(
        Recorder(), "parabola", {"lr": 1.0}, steps=3, schedule=lambda t: 0.1 / t
    )  # updates count from 1
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_a_schedule_from_the_schedules_module_drives_the_run():
    from optimlab.schedules import build_schedule

    schedule = build_schedule({"name": "step", "lr": 0.4, "step_size": 2, "gamma": 0.5})
    result = run_optimizer("sgd", "parabola", {"lr": 99.0}, steps=4, schedule=schedule)
    factors = result.trajectory[1:, 0] / result.trajectory[:-1, 0]
    assert factors == pytest.approx([1 - 2 * 0.4, 1 - 2 * 0.4, 1 - 2 * 0.2, 1 - 2 * 0.2])


def test_clipping_by_norm_limits_the_step():
    result = run_optimizer(LocalSGD(), "parabola", {"lr": 1.0}, steps=1, clip=0.5)
    assert result.trajectory[1][0] == pytest.approx(9.5)  # gradient 20 clipped to norm 0.5
    with pytest.raises(ValueError, match="clip"):
        run_optimizer(LocalSGD(), "parabola", {}, steps=1, clip=0)


def test_stochastic_runs_are_reproducible():
    first = run_optimizer(LocalSGD(), "linear-regression", {"lr": 0.1}, steps=40)
    second = run_optimizer(LocalSGD(), "linear-regression", {"lr": 0.1}, steps=40)
    assert np.array_equal(first.trajectory, second.trajectory)


def test_result_serialises_to_json():
    data = run_optimizer(LocalSGD(), "parabola", {"lr": 0.1}, steps=2).to_dict()
    assert json.loads(json.dumps(data))["trajectory"][0] == [10.0]


def test_parse_hyperparameters():
    assert parse_hyperparameters("lr=0.1, beta1 = 0.9") == {"lr": 0.1, "beta1": 0.9}
    assert parse_hyperparameters("") == {}
    for bad, message in [
        ("lr", "name=value"),
        ("lr=fast", "not a number"),
        ("lr=1,lr=2", "twice"),
        ("lr=inf", "finite"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_hyperparameters(bad)


def test_parse_vector():
    assert parse_vector("-5,-2") == [-5.0, -2.0]
    assert parse_vector("(1.5, 2)") == [1.5, 2.0]
    for bad in ["", "1,,2", "a,b"]:
        with pytest.raises(ValueError):
            parse_vector(bad)


# --- with the reference optimizers ---


def test_reference_momentum_reproduces_the_d2l_run():
    result = run_optimizer("momentum", "ill-conditioned-quadratic", {"lr": 0.6, "beta": 0.5}, steps=20)
    assert result.trajectory[-1] == pytest.approx([0.007188, 0.002553], abs=1e-6)
    assert result.hp["weight_decay"] == 0.0  # filled in from the optimizer's defaults


def test_out_of_range_hyperparameters_fail_before_the_run_even_with_zero_steps():
    with pytest.raises(ValueError, match="beta"):
        run_optimizer("momentum", "parabola", {"lr": 0.1, "beta": 1.5}, steps=0)


def test_unknown_optimizer_name_is_a_value_error():
    with pytest.raises(ValueError, match="adam"):
        run_optimizer("adamm", "parabola", {}, steps=1)


class AdamEpsInsideRoot:
    """Adam with ε under the square root, √(v̂ + ε), as some libraries place it."""

    name = "adam-eps-inside"
    hyperparameters = ("lr", "beta1", "beta2", "eps")
    defaults = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def init(self, params):
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def update(self, params, grads, state, hp):
        t = state["t"] + 1
        m = hp["beta1"] * state["m"] + (1 - hp["beta1"]) * grads
        v = hp["beta2"] * state["v"] + (1 - hp["beta2"]) * grads**2
        m_hat, v_hat = m / (1 - hp["beta1"] ** t), v / (1 - hp["beta2"] ** t)
        return params - hp["lr"] * m_hat / np.sqrt(v_hat + hp["eps"]), {"m": m, "v": v, "t": t}


def distance_travelled(result) -> float:
    return float(np.linalg.norm(result.trajectory[-1] - result.trajectory[0]))


def test_eps_placement_matters_on_tiny_gradients():
    # |g| ≈ 1e-6: with ε outside the root Adam's step is ≈ lr; under the root √(g² + 1e-8) ≈ 1e-4 shrinks it 100×.
    outside = run_optimizer("adam", "tiny-gradients", {"lr": 0.01}, steps=20)
    inside = run_optimizer(AdamEpsInsideRoot(), "tiny-gradients", {"lr": 0.01}, steps=20)
    sgd = run_optimizer("sgd", "tiny-gradients", {"lr": 0.01}, steps=20)
    assert distance_travelled(outside) > 0.1
    assert distance_travelled(outside) > 50 * distance_travelled(inside)
    assert distance_travelled(sgd) < 1e-6


def test_domain_modules_need_neither_django_nor_matplotlib():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; import optimlab.problems, optimlab.stability, optimlab.runner; "
        "optimlab.runner.run_optimizer('adam', 'rosenbrock', {}, steps=3); "
        "print(sorted(m for m in ('django', 'matplotlib') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
