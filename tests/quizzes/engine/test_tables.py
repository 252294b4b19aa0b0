import numpy as np
import pytest

from optimlab.optimizers import get_optimizer
from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from quizzes.engine.table_calculators import _POSITION_RULES, adam_table, ewma_table, momentum_table
from tests.quizzes.engine import sample_items

# On J = theta^2 (gradient 2 theta) from 10 with lr 0.1, beta 0.9, learning rate inside:
# m1 = 0.1 * 20 = 2, theta1 = 8; m2 = 0.9 * 2 + 0.1 * 16 = 3.4, theta2 = 4.6.
KEY = {"m1": "2", "theta1": "8", "m2": "3.4", "theta2": "4.6"}


def check(response, item=None):
    item = item or sample_items.table()
    return check_answer(item, draw_variant(item, 0), response)


def test_a_fully_right_table_is_correct():
    result = check(KEY)
    assert (result.status, result.score) == ("correct", 1.0)
    assert "| 2 | 3.4 | 4.6 |" in result.correct_answer


def test_a_wrong_first_cell_is_carried_forward_and_flagged():
    # m1 forgot the learning rate's factor (1 instead of 2); everything after follows from it.
    result = check({"m1": "1", "theta1": "9", "m2": "2.7", "theta2": "6.3"})
    assert result.status == "partial"
    assert result.score == pytest.approx(3 / 4)
    cells = result.details["cells"]
    assert cells["m1"]["status"] == "wrong"
    assert cells["theta1"]["status"] == "carried"
    assert cells["theta1"]["carried_from"] == ["m1"]
    assert "theta1: carried forward from your m1." in result.feedback


def test_a_cell_that_follows_from_nothing_is_wrong():
    result = check({"m1": "1", "theta1": "7", "m2": "3.4", "theta2": "4.6"})
    assert result.details["cells"]["theta1"]["status"] == "wrong"
    assert result.score == pytest.approx(2 / 4)


def test_rounded_but_right_earlier_cells_do_not_count_as_errors():
    item = sample_items.table()
    item["table"]["args"]["theta0"] = 1
    item["table"]["args"]["lr"] = 0.07
    item["tolerance"] = {"mode": "absolute", "value": 0.0005}
    variant = draw_variant(item, 0)
    response = {name: f"{variant.values[name]:.4f}" for name in ("m1", "theta1", "m2", "theta2")}
    result = check_answer(item, variant, response)
    assert result.status == "correct"
    assert not any("carried" in line for line in result.feedback)


def test_empty_cells_are_wrong_and_unreadable_cells_make_the_answer_invalid():
    assert check({"m1": "2", "theta1": "8"}).score == pytest.approx(1 / 2)
    invalid = check({**KEY, "theta1": "eight"})
    assert invalid.status == "invalid"
    assert invalid.feedback[0].startswith("Cell theta1:")
    assert check("2, 8, 3.4, 4.6").status == "invalid"


def test_the_rendered_table_names_every_cell_and_no_value():
    rendered = render_item(sample_items.table(), draw_variant(sample_items.table(), 0))
    assert rendered.table == {
        "columns": ["m", "theta"],
        "rows": [{"step": 1, "cells": ["m1", "theta1"]}, {"step": 2, "cells": ["m2", "theta2"]}],
    }
    assert "Fill in two steps from $\\theta_0 = 10$ with lr 0.1 and beta 0.9." == rendered.stem
    assert "3.4" not in str(rendered.to_dict())


def test_columns_listed_out_of_dependency_order_still_carry_forward():
    item = sample_items.table()
    item["table"]["columns"] = ["theta", "m"]
    result = check_answer(
        item, draw_variant(item, 0), {"m1": "1", "theta1": "9", "m2": "2.7", "theta2": "6.3"}
    )
    assert result.details["cells"]["theta1"]["status"] == "carried"


@pytest.mark.parametrize("optimizer", sorted(_POSITION_RULES))
def test_carry_forward_position_rules_agree_with_optimlab(optimizer):
    # Feed the calculator optimlab's own moment as a "student" value: the written-out rule must
    # then land exactly where optimlab's update does.
    key = momentum_table(2, ("m", "theta"), {}, optimizer=optimizer, theta0=3.0, lr=0.05, beta=0.8)
    assert get_optimizer(optimizer).state_arrays  # the table reads the velocity from optimlab's state
    nudged = {"m1": np.nextafter(key["m1"], np.inf)}
    carried = momentum_table(2, ("m", "theta"), nudged, optimizer=optimizer, theta0=3.0, lr=0.05, beta=0.8)
    assert carried["theta1"] == pytest.approx(key["theta1"], rel=1e-12)


def test_momentum_conventions_give_their_own_numbers():
    pytorch = momentum_table(2, ("v", "theta"), {}, optimizer="momentum", theta0=10, lr=0.1, beta=0.9)
    ema = momentum_table(2, ("v", "theta"), {}, optimizer="momentum-ema", theta0=10, lr=0.1, beta=0.9)
    assert pytorch["v1"] == pytest.approx(20) and pytorch["theta1"] == pytest.approx(8)
    assert ema["v1"] == pytest.approx(2) and ema["theta1"] == pytest.approx(9.8)


def test_adam_table_matches_the_first_step_rule():
    cells = adam_table(2, ("m", "v", "m_hat", "v_hat", "theta"), {}, theta0=1.0, lr=0.1)
    # First Adam step: m_hat / sqrt(v_hat) = g / |g|, so theta moves by lr (up to eps).
    assert cells["m1"] == pytest.approx(0.1 * 2.0)
    assert cells["v1"] == pytest.approx(0.001 * 4.0)
    assert cells["m_hat1"] == pytest.approx(2.0) and cells["v_hat1"] == pytest.approx(4.0)
    assert cells["theta1"] == pytest.approx(0.9, abs=1e-7)


def test_adam_table_carries_a_wrong_m_hat_into_theta():
    item = {
        **sample_items.table(),
        "table": {
            "calc": "adam_table",
            "args": {"theta0": 1.0, "lr": 0.1},
            "rows": 1,
            "columns": ["m_hat", "v_hat", "theta"],
        },
        "explanation": "done",
        "stem": "Adam from {{theta0}}",
    }
    assert validate_item(item) == []
    # m_hat1 should be 2; a student who forgot the correction writes 0.2 and then 1 - 0.1*0.2/2.
    result = check_answer(item, draw_variant(item, 0), {"m_hat1": "0.2", "v_hat1": "4", "theta1": "0.99"})
    assert [result.details["cells"][name]["status"] for name in ("m_hat1", "v_hat1", "theta1")] == [
        "wrong",
        "correct",
        "carried",
    ]


def test_ewma_table():
    cells = ewma_table(3, ("s", "s_hat"), {}, values=[4, 8, 2], beta=0.5)
    assert [cells["s1"], cells["s2"], cells["s3"]] == pytest.approx([2, 5, 3.5])
    assert cells["s_hat1"] == pytest.approx(4)
    carried = ewma_table(3, ("s",), {"s1": 4}, values=[4, 8, 2], beta=0.5)
    assert carried["s2"] == pytest.approx(6)


def test_bad_table_specs_are_reported():
    item = sample_items.table()
    item["table"] = {
        "calc": "momentum_table",
        "args": {"optimizer": "adam", "typo": 1},
        "rows": 0,
        "columns": ["x"],
    }
    problems = validate_item(item)
    assert any(problem.startswith("table.rows") for problem in problems)
    item["table"]["rows"] = 2
    problems = validate_item(item)
    assert any("unknown argument(s) typo" in problem for problem in problems)
    item["table"]["args"] = {}
    assert any("unsupported column(s) x" in problem for problem in validate_item(item))


def test_a_variant_stored_before_the_table_grew_is_recomputed():
    item = sample_items.table()
    stored = draw_variant(item, 0).to_dict()
    item["table"]["rows"] = 3
    result = check_answer(item, stored, {**KEY, "m3": "1", "theta3": "1"})
    assert set(result.details["cells"]) == {"m1", "theta1", "m2", "theta2", "m3", "theta3"}


@pytest.mark.parametrize(("optimizer", "decay"), [("adam", None), ("adamw", 0.1)])
def test_adam_carry_forward_rule_agrees_with_optimlab(optimizer, decay):
    args = {"optimizer": optimizer, "theta0": 2.0, "lr": 0.05, "weight_decay": decay}
    key = adam_table(2, ("m_hat", "theta"), {}, **args)
    nudged = {"m_hat1": np.nextafter(key["m_hat1"], np.inf)}
    carried = adam_table(2, ("m_hat", "theta"), nudged, **args)
    assert carried["theta1"] == pytest.approx(key["theta1"], rel=1e-12)


def test_adamw_decays_the_position_before_the_adam_step():
    plain = adam_table(1, ("theta",), {}, optimizer="adam", theta0=1.0, lr=0.1)
    decayed = adam_table(1, ("theta",), {}, optimizer="adamw", theta0=1.0, lr=0.1, weight_decay=0.5)
    assert decayed["theta1"] == pytest.approx(plain["theta1"] - 0.1 * 0.5 * 1.0)
