"""optimizer_table: any optimlab optimizer, columns from its state, error carried forward.

Numbers are worked out by hand on J = theta^2 (gradient 2 theta).
"""

import math

import pytest

from quizzes.engine import check_answer, draw_variant, validate_item
from quizzes.engine.calculators import CalculatorError
from quizzes.engine.table_calculators import optimizer_table


def rmsprop_by_hand(theta0: float, lr: float, beta: float, steps: int, v1: float | None = None) -> dict:
    theta, v, cells = theta0, 0.0, {}
    for step in range(1, steps + 1):
        g = 2 * theta
        v = v1 if (step == 1 and v1 is not None) else beta * v + (1 - beta) * g * g
        theta = theta - lr * g / (math.sqrt(v) + 1e-8)
        cells.update({f"g{step}": g, f"v{step}": v, f"theta{step}": theta})
    return cells


def table_item(optimizer: str, columns: list[str], **args) -> dict:
    return {
        "key": f"{optimizer}-table",
        "kind": "table",
        "stem": "Fill in the table.",
        "explanation": "See the key.",
        "table": {
            "calc": "optimizer_table",
            "args": {"optimizer": optimizer, **args},
            "rows": 2,
            "columns": columns,
        },
        "tolerance": {"mode": "relative", "value": 1e-3},
    }


def test_rmsprop_rows_match_the_recurrence():
    cells = optimizer_table(2, ("g", "v", "theta"), {}, optimizer="rmsprop", theta0=3, lr=0.1, beta=0.9)
    for name, value in rmsprop_by_hand(3, 0.1, 0.9, 2).items():
        assert cells[name] == pytest.approx(value, rel=1e-12), name


def test_adagrad_accumulator_can_be_called_s():
    # s1 = 36, theta1 = 3 - 0.5 = 2.5 (up to eps); g2 = 5, s2 = 61, theta2 = 2.5 - 0.5 * 5 / sqrt(61).
    cells = optimizer_table(2, ("s", "theta"), {}, optimizer="adagrad", theta0=3, lr=0.5)
    assert cells["s1"] == 36
    assert cells["s2"] == pytest.approx(61)
    assert cells["theta2"] == pytest.approx(2.5 - 2.5 / math.sqrt(61), rel=1e-9)
    assert "sum_sq1" not in cells


def test_a_students_own_state_value_moves_theta_through_the_reference_update():
    # The student forgot (1 - beta) in v1: v1 = g1^2 = 36, so theta1 = 3 - 0.1 * 6 / 6 = 2.9.
    cells = optimizer_table(2, ("v", "theta"), {"v1": 36.0}, optimizer="rmsprop", theta0=3, lr=0.1, beta=0.9)
    expected = rmsprop_by_hand(3, 0.1, 0.9, 2, v1=36.0)
    assert cells["theta1"] == pytest.approx(2.9, rel=1e-9)
    assert cells["v2"] == pytest.approx(expected["v2"], rel=1e-12)
    assert cells["theta2"] == pytest.approx(expected["theta2"], rel=1e-12)


def test_a_slip_is_carried_forward_in_a_checked_table():
    item = table_item("rmsprop", ["v", "theta"], theta0=3, lr=0.1, beta=0.9)
    assert validate_item(item) == []
    slipped = rmsprop_by_hand(3, 0.1, 0.9, 2, v1=36.0)
    response = {name: f"{slipped[name]:.6g}" for name in ("v1", "theta1", "v2", "theta2")}
    result = check_answer(item, draw_variant(item, 0), response)
    assert result.score == pytest.approx(3 / 4)
    assert result.details["cells"]["v1"]["status"] == "wrong"
    assert [result.details["cells"][name]["status"] for name in ("theta1", "v2", "theta2")] == ["carried"] * 3


def test_an_impossible_student_value_earns_no_carried_credit_and_does_not_crash():
    # A negative average cannot come from the recurrence; the following cells are judged against the key.
    item = table_item("rmsprop", ["v", "theta"], theta0=3, lr=0.1, beta=0.9)
    key = rmsprop_by_hand(3, 0.1, 0.9, 2)
    response = {"v1": "-1", "theta1": f"{key['theta1']:.6g}", "v2": f"{key['v2']:.6g}", "theta2": "0"}
    result = check_answer(item, draw_variant(item, 0), response)
    statuses = {name: cell["status"] for name, cell in result.details["cells"].items()}
    assert statuses == {"v1": "wrong", "theta1": "correct", "v2": "correct", "theta2": "wrong"}


def test_adam_moments_carry_through_both_buffers():
    # Adam from 3, lr 0.1: with m1 = 1 (student) and v1 = 0.036 (right), m_hat1 = 10, v_hat1 = 36,
    # theta1 = 3 - 0.1 * 10 / 6.
    cells = optimizer_table(1, ("m", "v", "theta"), {"m1": 1.0}, optimizer="adam", theta0=3, lr=0.1)
    assert cells["theta1"] == pytest.approx(3 - 1 / 6, rel=1e-7)


def test_columns_and_hyperparameters_must_fit_the_optimizer():
    with pytest.raises(CalculatorError, match="unsupported column"):
        optimizer_table(2, ("v", "theta"), {}, optimizer="adagrad")
    with pytest.raises(CalculatorError, match="takes no beta"):
        optimizer_table(2, ("theta",), {}, optimizer="adagrad", beta=0.9)
    with pytest.raises(CalculatorError, match="one-dimensional"):
        optimizer_table(2, ("theta",), {}, optimizer="sgd", problem="ill-conditioned-quadratic")
