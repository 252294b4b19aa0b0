import pytest

from quizzes.engine.calculators import (
    CALCULATORS,
    CalculatorError,
    bias_correction,
    effective_sample_size,
    ewma,
    optimizer_step,
    quadratic_stability,
    run_calculator,
    steps_per_epoch,
)
from quizzes.engine.table_calculators import TABLE_CALCULATORS


def test_every_calculator_documents_its_args():
    for name, function in {**CALCULATORS, **TABLE_CALCULATORS}.items():
        assert function.__doc__ and "args:" in function.__doc__, name


def test_optimizer_step_follows_the_momentum_conventions():
    # J = theta^2 from 10, lr 0.1, beta 0.9: torch momentum v1 = 20, theta1 = 8; v2 = 0.9*20 + 16 = 34,
    # theta2 = 8 - 3.4 = 4.6. The EMA form takes (1 - beta) of each gradient.
    torch_form = optimizer_step("momentum", steps=2, start=10, lr=0.1, beta=0.9, output="v")
    assert torch_form["answer"] == pytest.approx(34)
    assert torch_form["theta"] == pytest.approx(4.6)
    assert torch_form["theta_prev"] == pytest.approx(8)
    assert torch_form["update"] == pytest.approx(-3.4)
    ema = optimizer_step("momentum-ema", steps=1, start=10, lr=0.1, beta=0.9)
    assert ema["answer"] == pytest.approx(9.8)


def test_optimizer_step_on_the_ill_conditioned_quadratic():
    # f = 0.1 x1^2 + 2 x2^2: one GD step with lr 0.4 scales x1 by 0.92 and x2 by -0.6.
    result = optimizer_step("sgd", problem="ill-conditioned-quadratic", start=[-5, -2], lr=0.4, component=1)
    assert result["answer"] == pytest.approx(1.2)
    with pytest.raises(CalculatorError, match="component"):
        optimizer_step("sgd", problem="ill-conditioned-quadratic", start=[-5, -2], lr=0.4)


def test_small_formula_calculators():
    assert bias_correction(beta=0.9, t=1, value=0.1)["answer"] == pytest.approx(1.0)
    assert effective_sample_size(0.9)["answer"] == pytest.approx(10)
    assert steps_per_epoch(1000, 64)["answer"] == 16
    assert steps_per_epoch(1000, 64, drop_last=True)["answer"] == 15
    assert quadratic_stability(4)["answer"] == pytest.approx(0.5)
    assert quadratic_stability(4, method="heavy-ball", beta=0.5)["answer"] == pytest.approx(0.75)
    averaged = ewma([1, 1, 1], beta=0.5)
    assert averaged["answer"] == pytest.approx(0.875)
    assert ewma([1, 1, 1], beta=0.5, bias_corrected=True)["answer"] == pytest.approx(1.0)


def test_run_calculator_resolves_params_and_reports_bad_args():
    result = run_calculator("bias_correction", {"t": 2}, {"beta": 0.5, "unrelated": 3})
    assert result["answer"] == pytest.approx(1 / 0.75)
    assert run_calculator("bias_correction", {"beta": "{{b}}", "t": 1}, {"b": 0.5})[
        "factor"
    ] == pytest.approx(2)
    with pytest.raises(CalculatorError, match="unknown argument"):
        run_calculator("bias_correction", {"beta": 0.5, "t": 1, "typo": 2}, {})
    with pytest.raises(CalculatorError, match="missing argument"):
        run_calculator("bias_correction", {"beta": 0.5}, {})
    with pytest.raises(CalculatorError, match="unknown calculator"):
        run_calculator("nope", {}, {})
    with pytest.raises(CalculatorError, match="unknown optimizer"):
        run_calculator("optimizer_step", {"optimizer": "sgdd"}, {})


def test_the_reference_lists_every_calculator_with_its_arguments():
    from quizzes.engine.calculators import calculator_reference

    reference = calculator_reference()
    assert set(reference) == set(CALCULATORS) | set(TABLE_CALCULATORS)
    assert reference["bias_correction"]["required"] == ["beta", "t"]
    assert reference["momentum_table"]["table"] is True
    assert "known" not in reference["momentum_table"]["args"]


def test_the_bank_format_example_calculator_exists():
    from quizzes.engine import draw_variant, validate_item

    item = {
        "key": "doc-example",
        "kind": "calculation",
        "stem": "Momentum, lr {{lr}}: where is theta after 3 steps from 10?",
        "explanation": "It is {{answer:.4g}}.",
        "params": {"lr": {"choices": [0.1, 0.05]}},
        "answer": {"calc": "momentum_position", "args": {"optimizer": "momentum", "steps": 3, "start": 10}},
    }
    assert validate_item(item) == []
    variant = draw_variant(item, 0)
    direct = optimizer_step("momentum", steps=3, start=10, lr=variant.params["lr"])
    assert variant.values["answer"] == direct["answer"]
