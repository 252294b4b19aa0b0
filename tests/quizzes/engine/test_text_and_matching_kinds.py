"""shortanswer, matching and description: validation, checking, keys and ids."""

import pytest

from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from quizzes.engine.kinds import handler_for


def _item(kind, **spec):
    return {"key": f"a-{kind}", "kind": kind, "stem": "Which?", "explanation": "Because.", **spec}


RMSPROP = _item(
    "shortanswer",
    answers=[
        {"text": "RMSProp", "feedback": "Right."},
        {"text": "Ada*", "fraction": 0.25, "feedback": "An adaptive method, but not this one."},
        {"text": "*", "fraction": 0, "feedback": "Think of squared gradients."},
    ],
)


def _check(item, response):
    return check_answer(item, draw_variant(item, 1), response)


@pytest.mark.parametrize("typed", ["RMSProp", "rmsprop", "  RMSprop  ", "RMSPROP"])
def test_a_short_answer_ignores_case_and_surrounding_space_by_default(typed):
    result = _check(RMSPROP, typed)
    assert (result.status, result.score, result.feedback) == ("correct", 1.0, ["Right."])


def test_a_case_sensitive_short_answer_refuses_another_case():
    item = {**RMSPROP, "case_sensitive": True}
    assert _check(item, "RMSProp").score == 1.0
    assert _check(item, "rmsprop").feedback == ["Think of squared gradients."]


def test_inner_whitespace_is_collapsed_before_comparing():
    item = _item("shortanswer", answers=[{"text": "Adam  with   decoupled decay"}])
    assert _check(item, "adam with\tdecoupled\n decay").score == 1.0


def test_the_wildcard_matches_any_run_and_the_best_fraction_wins():
    assert _check(RMSPROP, "AdaGrad").score == 0.25  # "Ada*" beats the catch-all's 0
    assert _check(RMSPROP, "AdaGrad").feedback == ["An adaptive method, but not this one."]
    assert _check(RMSPROP, "SGD").status == "incorrect"
    assert _check(RMSPROP, "SGD").feedback == ["Think of squared gradients."]


def test_an_escaped_star_is_a_literal_star():
    item = _item("shortanswer", answers=[{"text": "x\\*y"}])
    assert _check(item, "x*y").score == 1.0
    assert _check(item, "xzzy").score == 0.0
    assert handler_for("shortanswer").correct_response(item, draw_variant(item, 0)) == "x*y"


def test_an_empty_short_answer_is_invalid_not_wrong():
    assert _check(RMSPROP, "   ").status == "invalid"
    assert _check(RMSPROP, ["RMSProp"]).status == "invalid"


def test_short_answer_validation_names_each_bad_field():
    item = _item("shortanswer", answers=[{"text": "Adam", "fraction": 1.5}, {"text": " ", "weight": 1}])
    problems = validate_item(item)
    assert "answers[0].fraction: must be a number from 0 to 1" in problems
    assert "answers[1]: needs a `text`" in problems
    no_full = _item("shortanswer", answers=[{"text": "Adam", "fraction": 0.5}])
    assert "answers: at least one answer needs fraction 1 (full marks)" in validate_item(no_full)
    only_star = _item("shortanswer", answers=[{"text": "*"}])
    assert any("more than wildcards" in problem for problem in validate_item(only_star))


MATCHING = _item(
    "matching",
    pairs=[
        {"prompt": "Momentum", "answer": "Sum of past gradients"},
        {"prompt": "RMSProp", "answer": "Average of squared gradients"},
        {"prompt": "Adam", "answer": "Both, bias-corrected"},
    ],
    distractors=["A growing learning rate"],
)


def test_matching_offers_every_answer_and_distractor_with_ids_stable_across_variants():
    first = render_item(MATCHING, draw_variant(MATCHING, 1))
    second = render_item(MATCHING, draw_variant(MATCHING, 2))
    assert len(first.choices) == 4 and len(first.prompts) == 3
    assert {c["id"]: c["text"] for c in first.choices} == {c["id"]: c["text"] for c in second.choices}
    assert {p["id"]: p["text"] for p in first.prompts} == {p["id"]: p["text"] for p in second.prompts}
    orders = {
        tuple(c["id"] for c in render_item(MATCHING, draw_variant(MATCHING, s)).choices) for s in range(8)
    }
    assert len(orders) > 1  # shuffled per variant


def test_matching_gives_credit_per_pair_and_full_marks_to_the_key():
    variant = draw_variant(MATCHING, 3)
    key = handler_for("matching").correct_response(MATCHING, variant)
    assert check_answer(MATCHING, variant, key).score == 1.0
    prompts = list(key)
    swapped = {prompts[0]: key[prompts[1]], prompts[1]: key[prompts[0]], prompts[2]: key[prompts[2]]}
    result = check_answer(MATCHING, variant, swapped)
    assert result.status == "partial" and result.score == pytest.approx(1 / 3)
    unpaired = {prompts[0]: key[prompts[0]], prompts[1]: "", prompts[2]: ""}
    assert check_answer(MATCHING, variant, unpaired).score == pytest.approx(1 / 3)


def test_a_tampered_or_empty_matching_response_is_invalid():
    variant = draw_variant(MATCHING, 3)
    key = handler_for("matching").correct_response(MATCHING, variant)
    assert check_answer(MATCHING, variant, {**key, "p-unknown": "m-x"}).status == "invalid"
    assert check_answer(MATCHING, variant, dict.fromkeys(key, "")).status == "invalid"
    assert check_answer(MATCHING, variant, "Momentum").status == "invalid"


def test_two_prompts_may_share_an_answer_but_a_distractor_may_not_be_an_answer():
    shared = _item("matching", pairs=[{"prompt": "SGD", "answer": "No"}, {"prompt": "Adam", "answer": "No"}])
    assert validate_item(shared) == []
    assert len(render_item(shared, draw_variant(shared, 0)).choices) == 1
    clash = {**MATCHING, "distractors": ["Sum of past gradients"]}
    assert "distractors: a distractor is also the answer of a pair" in validate_item(clash)


def test_a_description_needs_no_explanation_and_is_not_scored():
    item = {"key": "intro", "kind": "description", "stem": "The next questions are about Adam."}
    assert validate_item(item) == []
    assert handler_for("description").scored is False
    assert all(handler_for(kind).scored for kind in ("shortanswer", "matching", "single"))
    assert render_item(item, draw_variant(item, 0)).input == "none"
