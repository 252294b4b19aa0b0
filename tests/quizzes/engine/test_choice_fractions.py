"""Per-choice fractions: Moodle's sum-of-fractions rule for multiple, partial credit on single."""

import pytest

from quizzes.engine import check_answer, draw_variant, validate_item
from quizzes.engine.common import stable_id


def _item(kind, choices, **extra):
    return {
        "key": "k",
        "kind": kind,
        "stem": "Which?",
        "explanation": "Because.",
        "choices": choices,
        **extra,
    }


SUM_RULE = _item(
    "multiple",
    [
        {"text": "RMSProp", "correct": True},
        {"text": "Adam", "correct": True},
        {"text": "SGD"},
        {"text": "Momentum", "fraction": -0.5},
    ],
    scoring="fractions",
)


def _score(item, texts):
    picked = [stable_id("c", {"text": text}) for text in texts]
    response = picked if item["kind"] == "multiple" else picked[0]
    return check_answer(item, draw_variant(item, 0), response).score


def test_the_sum_rule_adds_the_picked_fractions_and_a_zero_choice_costs_nothing():
    assert validate_item(SUM_RULE) == []
    assert _score(SUM_RULE, ["RMSProp"]) == 0.5
    assert _score(SUM_RULE, ["RMSProp", "SGD"]) == 0.5  # our own rule would take marks off here
    assert _score(SUM_RULE, ["RMSProp", "Adam", "SGD"]) == 1.0


def test_the_sum_rule_is_floored_at_zero():
    assert _score(SUM_RULE, ["RMSProp", "Momentum"]) == 0.0
    assert _score(SUM_RULE, ["Momentum", "SGD"]) == 0.0


def test_without_the_option_multiple_keeps_right_minus_wrong():
    ours = {
        **SUM_RULE,
        "choices": [{k: v for k, v in c.items() if k != "fraction"} for c in SUM_RULE["choices"]],
    }
    del ours["scoring"]
    assert _score(ours, ["RMSProp", "SGD"]) == 0.0  # 1/2 right - 1/2 of the wrong ones


def test_sum_rule_validation_checks_signs_totals_and_where_fractions_may_appear():
    unbalanced = {
        **SUM_RULE,
        "choices": [{**SUM_RULE["choices"][0], "fraction": 0.8}, *SUM_RULE["choices"][1:]],
    }
    assert "choices: the positive fractions add up to 1.3, not 1" in validate_item(unbalanced)
    wrong_sign = {**SUM_RULE, "choices": [*SUM_RULE["choices"][:2], {"text": "SGD", "fraction": 0.2}]}
    assert any("correct exactly when its fraction is positive" in p for p in validate_item(wrong_sign))
    without_option = {k: v for k, v in SUM_RULE.items() if k != "scoring"}
    assert any("need `scoring: fractions`" in p for p in validate_item(without_option))
    assert any(p.startswith("scoring: must be") for p in validate_item({**SUM_RULE, "scoring": "moodle"}))


PARTIAL_SINGLE = _item(
    "single",
    [
        {"text": "RMSProp", "correct": True},
        {"text": "AdaGrad", "fraction": 0.5, "feedback": "Half right: it sums instead of averaging."},
        {"text": "SGD", "fraction": -0.25},
        {"text": "Momentum"},
    ],
)


@pytest.mark.parametrize(
    ("picked", "score"), [("RMSProp", 1.0), ("AdaGrad", 0.5), ("SGD", 0.0), ("Momentum", 0.0)]
)
def test_a_single_choice_item_gives_each_choice_its_own_fraction(picked, score):
    assert validate_item(PARTIAL_SINGLE) == []
    assert _score(PARTIAL_SINGLE, [picked]) == score


def test_a_single_choice_item_stays_single_with_one_correct_choice_worth_one():
    worth_less = {**PARTIAL_SINGLE, "choices": [{**PARTIAL_SINGLE["choices"][0], "fraction": 0.9}]}
    assert "choices[0].fraction: the correct choice is worth 1" in validate_item(
        {**worth_less, "choices": [*worth_less["choices"], *PARTIAL_SINGLE["choices"][1:]]}
    )
    assert "scoring: only a multiple-choice item has a scoring rule" in validate_item(
        {**PARTIAL_SINGLE, "scoring": "fractions"}
    )
