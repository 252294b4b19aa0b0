"""Table checks: one calculator pass gives every carried-forward value, impossible states end it,
and the float shortcut of the tolerance rule never disagrees with the exact rule."""

import math
import random
import warnings
from fractions import Fraction

import pytest

from quizzes.engine import check_answer, draw_variant
from quizzes.engine.numbers import Tolerance, exact, parse_number
from quizzes.engine.tables import _calculate, carried_values, dependency_order
from quizzes.engine.templates import VariantError


def adam_item(**args) -> dict:
    return {
        "key": "adam-two-steps",
        "kind": "table",
        "stem": "Two Adam steps.",
        "explanation": "See the key.",
        "table": {
            "calc": "adam_table",
            "args": {"theta0": 10, "lr": 0.5, **args},
            "rows": 2,
            "columns": ["m", "v", "m_hat", "v_hat", "theta"],
        },
        "tolerance": {"mode": "relative", "value": 1e-3},
    }


def rmsprop_item() -> dict:
    return {
        "key": "rmsprop-two-steps",
        "kind": "table",
        "stem": "Two RMSProp steps.",
        "explanation": "See the key.",
        "table": {
            "calc": "optimizer_table",
            "args": {"optimizer": "rmsprop", "theta0": 3, "lr": 0.1, "beta": 0.9},
            "rows": 2,
            "columns": ["g", "v", "theta"],
        },
        "tolerance": {"mode": "relative", "value": 1e-3},
    }


def one_cell_at_a_time(item: dict, given: dict[str, float]) -> dict[str, float]:
    """The definition: each cell recomputed from only the student's cells before it (when computable)."""
    order = dependency_order(item, {})
    expected = {}
    for position, name in enumerate(order):
        earlier = {cell: given[cell] for cell in order[:position] if cell in given}
        try:
            value = _calculate(item, {}, earlier)[name]
        except VariantError:  # the student's earlier cells make this one impossible to compute
            continue
        if math.isfinite(value):
            expected[name] = value
    return expected


@pytest.mark.parametrize("make_item", [adam_item, rmsprop_item])
def test_one_pass_gives_what_recomputing_each_cell_gives(make_item):
    item = make_item()
    key = draw_variant(item, 0).values
    rng = random.Random(7)
    for _ in range(20):
        # A few slips (scaled cells) among right ones, as a student's table might have.
        given = {
            name: key[name] * rng.choice([1.0, 1.0, 0.5, 2.0])
            for name in dependency_order(item, {})
            if rng.random() < 0.9
        }
        one_pass = carried_values(item, {}, given)
        one_by_one = one_cell_at_a_time(item, given)
        assert set(one_pass) == set(one_by_one)
        for name, value in one_by_one.items():
            assert one_pass[name] == pytest.approx(value, rel=1e-12), name


def test_a_negative_second_moment_earns_no_carried_credit_and_raises_no_warning():
    item = adam_item()
    key = draw_variant(item, 0).values
    # v1 with the wrong sign: everything after it that needs v follows from an impossible state.
    response = {name: repr(key[name]) for name in dependency_order(item, {})}
    response["v1"] = repr(-key["v1"])
    response["v_hat2"] = repr(key["v_hat2"] * 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_answer(item, draw_variant(item, 0), response)
    cells = result.details["cells"]
    assert cells["v1"]["status"] == "wrong"
    assert cells["v_hat2"]["status"] == "wrong"
    assert cells["theta2"]["status"] == "correct"
    assert result.score == pytest.approx(8 / 10)


def test_only_what_depends_on_an_impossible_value_is_unknown():
    item = adam_item()
    key = draw_variant(item, 0).values
    given = {"m1": key["m1"], "v1": -1.0, "m2": key["m2"] * 2}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        carried = carried_values(item, {}, given)
    # m and its correction never read v: they still follow from the student's cells.
    assert carried["m_hat1"] == pytest.approx(key["m_hat1"])
    assert carried["m_hat2"] == pytest.approx(2 * key["m2"] / (1 - 0.9**2))
    # v2 would be computed from the impossible v1, theta1 from the square root of a negative v_hat1.
    assert "v2" not in carried and "v_hat2" not in carried and "theta1" not in carried


def test_a_student_value_after_an_impossible_one_starts_a_computable_chain_again():
    item = adam_item()
    key = draw_variant(item, 0).values
    given = {"v1": -1.0, "m2": 0.5, "v2": 0.25, "m_hat2": 3.0, "v_hat2": 4.0, "theta1": 7.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        carried = carried_values(item, {}, given)
    # theta2 from the student's own theta1, m_hat2 and v_hat2 by Adam's rule, whatever v1 was.
    assert carried["theta2"] == pytest.approx(7.0 - 0.5 * 3.0 / (2.0 + 1e-8))
    assert key["theta2"] != pytest.approx(carried["theta2"])


def test_an_rmsprop_average_below_what_one_step_adds_is_impossible_without_warnings():
    item = rmsprop_item()
    key = draw_variant(item, 0).values
    # (1 - beta) g1^2 alone is 3.6; a v1 of 1 could only follow from a negative earlier average.
    response = {name: repr(key[name]) for name in dependency_order(item, {})}
    response["v1"] = "1"
    response["theta1"] = "2.9"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_answer(item, draw_variant(item, 0), response)
    statuses = {name: cell["status"] for name, cell in result.details["cells"].items()}
    assert statuses["v1"] == statuses["theta1"] == "wrong"


def test_absurdly_large_cells_are_judged_without_warnings():
    item = rmsprop_item()
    response = {"g1": "6", "v1": "1e300", "theta1": "1e300", "g2": "2e300", "v2": "1e300", "theta2": "1"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_answer(item, draw_variant(item, 0), response)
    assert result.status in {"partial", "incorrect"}


@pytest.mark.parametrize("mode", ["absolute", "relative"])
def test_the_float_shortcut_agrees_with_the_exact_rule(mode):
    rng = random.Random(11)
    for _ in range(3000):
        key = rng.choice([1.0, -1.0]) * 10 ** rng.uniform(-8, 8)
        tolerance = Tolerance(mode, rng.choice([1e-6, 1e-3, 0.005, 0.1]))
        allowed = float(tolerance.allowed_error(exact(key)))
        # Answers near the boundary (inside, on it, just outside) and far from it.
        answer = key + rng.choice([1, -1]) * allowed * rng.choice([0.5, 1.0, 1 + 1e-12, 1 - 1e-12, 2.0])
        exactly = abs(exact(answer) - exact(key)) <= tolerance.allowed_error(exact(key))
        assert tolerance.accepts(key, answer) == exactly, (mode, key, answer)


def test_float_answers_on_the_boundary_are_decided_exactly():
    assert Tolerance("absolute", 0.005).accepts(0.02, 0.025)  # 0.025 - 0.02 > 0.005 in floats
    assert Tolerance("relative", 0.01).accepts(200.0, 202.0)
    assert not Tolerance("relative", 0.01).accepts(200.0, 202.00000001)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.50e-3", Fraction(1, 400)), (".5", Fraction(1, 2)), ("5.", Fraction(5)), ("-12e2", Fraction(-1200))],
)
def test_decimals_parse_to_exact_fractions(text, value):
    assert parse_number(text) == value


def test_a_possible_accumulator_still_carries_when_no_real_history_gives_it():
    # AdaGrad from 3 with lr 0.5: s1 = 36 and theta1 = 2.5. This student wrote theta1 = 4, left g2
    # blank (so g2 = 8 from their theta1) and kept the key's s2 = 61, below 8**2: no non-negative s1
    # leads there, but 61 is a fine accumulator and theta2 = 4 - 0.5 * 8 / sqrt(61) follows from it.
    item = {
        "key": "adagrad-two-steps",
        "kind": "table",
        "stem": "Two AdaGrad steps.",
        "explanation": "See the key.",
        "table": {
            "calc": "optimizer_table",
            "args": {"optimizer": "adagrad", "theta0": 3, "lr": 0.5},
            "rows": 2,
            "columns": ["g", "s", "theta"],
        },
        "tolerance": {"mode": "relative", "value": 1e-4},
    }
    response = {"g1": "6", "s1": "36", "theta1": "4", "s2": "61", "theta2": f"{4 - 4 / math.sqrt(61):.8g}"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_answer(item, draw_variant(item, 0), response)
    statuses = {name: cell["status"] for name, cell in result.details["cells"].items()}
    assert statuses == {
        "g1": "correct",
        "s1": "correct",
        "theta1": "wrong",
        "g2": "empty",
        "s2": "correct",
        "theta2": "carried",
    }
