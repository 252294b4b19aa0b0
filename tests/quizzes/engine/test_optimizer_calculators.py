"""Round-two calculators: state outputs, given gradients, schedules, clipping, params in lists.

Expected numbers are worked out by hand in the comments, never taken from optimlab.
"""

import math

import pytest

from quizzes.engine import draw_variant, validate_item
from quizzes.engine.calculators import (
    CalculatorError,
    argument_names,
    clip_by_norm,
    optimizer_given_gradients,
    optimizer_step,
    run_calculator,
    schedule_lr,
)
from quizzes.engine.optimizers import HYPERPARAMETERS
from quizzes.engine.table_calculators import optimizer_table


def test_optimizer_step_reports_any_state_array_by_name():
    # AdaGrad on J = theta^2 from 3, lr 0.5: g1 = 6, s1 = 36, theta1 = 3 - 0.5 = 2.5; g2 = 5, s2 = 61.
    assert optimizer_step("adagrad", steps=2, start=3, lr=0.5, output="sum_sq")["answer"] == pytest.approx(61)
    # AMSGrad keeps the running maximum of v: v1 = 0.001 * 36 = 0.036 and v2 < v1 here, so v_max2 = v1 * ...
    first = optimizer_step("amsgrad", steps=1, start=3, lr=0.1, output="v")["answer"]
    assert optimizer_step("amsgrad", steps=1, start=3, lr=0.1, output="v_max")["answer"] == pytest.approx(
        first
    )
    assert first == pytest.approx(0.036)


def test_adam_family_reports_bias_corrected_moments():
    # Step 1 from theta0 = 3: g = 6, m1 = 0.6, v1 = 0.036; corrected m_hat = 6, v_hat = 36.
    result = optimizer_step("adam", start=3, lr=0.1, output="m_hat")
    assert result["answer"] == pytest.approx(6)
    assert result["v_hat"] == pytest.approx(36)
    assert result["m"] == pytest.approx(0.6)


def test_an_output_the_optimizer_does_not_have_is_refused_with_the_choices():
    with pytest.raises(CalculatorError, match="for sgd") as plain:
        optimizer_step("sgd", output="sum_sq")
    assert "sum_sq" not in str(plain.value)
    with pytest.raises(CalculatorError, match="effective_lr, sum_sq for adagrad"):
        optimizer_step("adagrad", output="m_hat")  # bias correction belongs to the Adam family only


def test_given_gradients_feed_one_step_each():
    # AdaGrad sees 1, -2, 3: s3 = 14, and the last gradient is scaled by 0.1 / sqrt(14).
    result = optimizer_given_gradients("adagrad", grads=[1, -2, 3], lr=0.1, output="effective_lr")
    assert result["sum_sq"] == pytest.approx(14)
    assert result["answer"] == pytest.approx(0.1 / math.sqrt(14), rel=1e-9)
    # A bare number is one step: SGD with lr 0.01 on a gradient of 30 moves 0.3.
    assert optimizer_given_gradients("sgd", grads=30, lr=0.01, output="step_length")[
        "answer"
    ] == pytest.approx(0.3)


def test_given_gradients_can_be_clipped_first():
    # (30, 40) has norm 50; clipped to norm 5 it becomes (3, 4) up to torch's 1e-6; lr 0.1 moves w1 by 0.3.
    result = optimizer_given_gradients(
        "sgd", grads=[[30, 40]], clip_norm=5, lr=0.1, component=0, output="step_length"
    )
    assert result["answer"] == pytest.approx(0.1 * 30 * 5 / (50 + 1e-6), rel=1e-12)
    assert result["grad"] == 30
    assert result["grad_used"] == pytest.approx(3, rel=1e-6)


def test_adamw_with_a_zero_gradient_only_decays():
    result = optimizer_given_gradients(
        "adamw", grads=0, start=3, lr=0.01, weight_decay=0.1, output="step_length"
    )
    assert result["answer"] == pytest.approx(0.01 * 0.1 * 3, rel=1e-9)


def test_given_gradients_reject_ragged_steps_and_loss():
    with pytest.raises(CalculatorError, match="same length"):
        optimizer_given_gradients("sgd", grads=[[1, 2], [3]])
    with pytest.raises(CalculatorError, match="no loss"):
        optimizer_given_gradients("sgd", grads=[1], output="loss")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"name": "constant", "step": 7, "lr": 0.1}, 0.1),
        ({"name": "linear-warmup", "step": 250, "lr": 0.1, "warmup_steps": 1000}, 0.025),
        # epoch 25 counted from 0 with a halving every 10 epochs: two halvings.
        ({"name": "step", "step": 25, "counting_from": 0, "lr": 0.1, "step_size": 10, "gamma": 0.5}, 0.025),
        # update 26 counted from 1: (26 - 1) // 10 = 2 halvings as well, update 21 too, update 20 only one.
        ({"name": "step", "step": 20, "lr": 0.1, "step_size": 10, "gamma": 0.5}, 0.05),
        ({"name": "exponential", "step": 3, "counting_from": 0, "lr": 0.1, "gamma": 0.9}, 0.1 * 0.9**3),
        # halfway through a cosine of 100 updates (t - 1 = 50) the rate is half the peak.
        ({"name": "cosine", "step": 51, "lr": 0.1, "T_max": 100}, 0.05),
        ({"name": "cosine", "step": 1, "lr": 0.1, "T_max": 100, "eta_min": 0.01}, 0.1),
        # warmup of 10 reaches the peak at 10; then cosine over 90 updates, halfway at 10 + 46.
        ({"name": "warmup-cosine", "step": 5, "lr": 0.2, "warmup_steps": 10, "total_steps": 100}, 0.1),
        ({"name": "warmup-cosine", "step": 56, "lr": 0.2, "warmup_steps": 10, "total_steps": 100}, 0.1),
    ],
)
def test_schedule_lr_follows_the_documented_schedules(spec, expected):
    assert schedule_lr(**spec)["answer"] == pytest.approx(expected, rel=1e-12)


def test_schedule_lr_reports_bad_specs_clearly():
    with pytest.raises(CalculatorError, match="unknown parameter"):
        schedule_lr("cosine", 3, lr=0.1, T_max=10, gamma=0.5)
    with pytest.raises(CalculatorError, match="unknown schedule"):
        schedule_lr("sawtooth", 3, lr=0.1)
    with pytest.raises(CalculatorError, match="counting_from"):
        schedule_lr("constant", 3, lr=0.1, counting_from=2)
    with pytest.raises(CalculatorError, match="step must be"):
        schedule_lr("constant", 0, lr=0.1)


def test_clip_by_norm_treats_all_tensors_as_one_vector():
    # (3, 0) and (4): global norm 5; clipping to 1 scales by 1 / (5 + 1e-6).
    result = clip_by_norm([[3, 0], [4]], max_norm=1)
    assert result["norm"] == 5
    assert result["answer"] == pytest.approx(1 / (5 + 1e-6), rel=1e-12)
    assert clip_by_norm([[3, 0], [4]], max_norm=1, output="clipped", component=2)["answer"] == pytest.approx(
        4 / (5 + 1e-6)
    )
    # Already short: left alone. Without max_norm: only measured. With norm_type 1: |3| + |4| = 7.
    assert clip_by_norm([0.3, 0.4], max_norm=1)["scale"] == 1.0
    assert clip_by_norm([1, 2, 2], output="norm")["answer"] == pytest.approx(3)
    assert clip_by_norm([3, 4], max_norm=1, norm_type=1)["norm"] == pytest.approx(7)


def test_parameters_are_resolved_inside_lists():
    result = run_calculator("ewma", {"values": ["{{x1}}", 2, "{{x3}}"]}, {"x1": 4, "x3": 8, "beta": 0.5})
    assert result["answer"] == pytest.approx(0.5 * (0.5 * 0.5 * 4 + 0.5 * 2) + 0.5 * 8)
    nested = run_calculator(
        "clip_by_norm", {"grads": [["{{a}}"], ["{{b}}"]], "output": "norm"}, {"a": 6, "b": 8}
    )
    assert nested["answer"] == pytest.approx(10)
    with pytest.raises(CalculatorError, match="unknown parameter 'nope'"):
        run_calculator("ewma", {"values": ["{{nope}}"], "beta": 0.5}, {})


def test_an_extra_never_hides_a_parameter_of_the_same_name():
    # optimizer_given_gradients returns `theta` (after the step); the item's own theta must survive.
    item = {
        "key": "decay-amount",
        "kind": "calculation",
        "stem": "A weight theta = {{theta}} decays with lr {{lr}}. By how much?",
        "explanation": "By {{answer}}.",
        "params": {"theta": {"choices": [2, 4]}, "lr": {"choices": [0.1]}},
        "answer": {
            "calc": "optimizer_given_gradients",
            "args": {
                "optimizer": "adamw",
                "grads": 0,
                "start": "{{theta}}",
                "weight_decay": 0.5,
                "output": "step_length",
            },
        },
    }
    assert validate_item(item) == []
    variant = draw_variant(item, 1)
    assert variant.values["theta"] == variant.params["theta"]
    assert variant.values["answer"] == pytest.approx(0.1 * 0.5 * variant.params["theta"])


def test_author_expressions_may_use_cos_sin_and_pi():
    item = {
        "key": "cosine-by-hand",
        "kind": "calculation",
        "stem": "t = {{t}}",
        "explanation": "{{answer}}",
        "params": {"t": {"min": 1, "max": 9}},
        "constraints": ["cos(pi * t / 10) > 0"],
        "answer": {"expr": "0.05 * (1 + cos(pi * (t - 1) / 10)) + 0 * sin(pi)"},
    }
    assert validate_item(item) == []
    for seed in range(10):
        variant = draw_variant(item, seed)
        t = variant.params["t"]
        assert t < 5
        assert variant.values["answer"] == pytest.approx(0.05 * (1 + math.cos(math.pi * (t - 1) / 10)))


def test_the_optimizer_calculators_take_every_hyperparameter_by_name_and_refuse_others():
    for calculator in (optimizer_step, optimizer_given_gradients, optimizer_table):
        accepted, required = argument_names(calculator)
        assert set(HYPERPARAMETERS) <= accepted
        assert not set(HYPERPARAMETERS) & required
    with pytest.raises(CalculatorError, match="unknown argument.*lrr"):
        run_calculator("optimizer_step", {"optimizer": "sgd", "lrr": 0.1}, {})
    with pytest.raises(TypeError, match="lrr"):
        optimizer_step("sgd", lrr=0.1)


def test_schedule_lr_takes_every_parameter_an_optimlab_schedule_has_and_refuses_others():
    accepted, required = argument_names(schedule_lr)
    assert accepted == {"name", "step", "counting_from", "lr", "step_size", "gamma", "warmup_steps", "T_max",
                        "eta_min", "total_steps"}  # fmt: skip
    assert required == {"name", "step"}
    with pytest.raises(CalculatorError, match="unknown parameter.*steps"):
        schedule_lr("step", 3, lr=0.1, steps=2, gamma=0.5)
