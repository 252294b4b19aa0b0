"""Paired parameters (Moodle's dataset items): one draw picks the same position in each one's choices."""

from quizzes.engine import check_answer, draw_variant, validate_item
from tests.quizzes.engine import sample_items


def _paired_item(**changes) -> dict:
    item = {
        **sample_items.calculation(),
        "params": {
            "a": {"choices": [1, 2, 3], "paired": True},
            "b": {"choices": [10, 20, 30], "paired": True},
        },
        "answer": {"expr": "a * b"},
        "stem": "Multiply {{a}} by {{b}}.",
        "explanation": "It is {{answer}}.",
        "hints": [],
        "constraints": [],
        "misconceptions": [],
    }
    return {**item, **changes}


def test_paired_parameters_are_only_drawn_in_their_listed_sets():
    item = _paired_item()

    drawn = {
        (variant.params["a"], variant.params["b"])
        for variant in map(lambda s: draw_variant(item, s), range(60))
    }

    assert validate_item(item) == []
    assert drawn == {(1, 10), (2, 20), (3, 30)}


def test_unpaired_parameters_still_combine_freely_beside_paired_ones():
    item = _paired_item(
        params={**_paired_item()["params"], "c": {"choices": [0, 1]}}, answer={"expr": "a * b + c"}
    )

    drawn = {tuple(draw_variant(item, seed).params.values()) for seed in range(80)}

    assert {(a, b) for a, b, _ in drawn} == {(1, 10), (2, 20), (3, 30)}
    assert {c for _, _, c in drawn} == {0, 1}


def test_paired_parameters_need_lists_of_the_same_length_and_choices():
    uneven = _paired_item(
        params={"a": {"choices": [1, 2], "paired": True}, "b": {"choices": [1], "paired": True}}
    )
    ranged = _paired_item(params={"a": {"min": 1, "max": 3, "paired": True}, "b": {"choices": [1]}})
    not_a_flag = _paired_item(params={"a": {"choices": [1], "paired": "yes"}, "b": {"choices": [1]}})

    assert any("same number of choices" in problem for problem in validate_item(uneven))
    assert any(
        "only a parameter with `choices` can be paired" in problem for problem in validate_item(ranged)
    )
    assert any("`paired` must be true or false" in problem for problem in validate_item(not_a_flag))


def test_every_listed_set_is_checked_so_a_division_by_zero_in_the_middle_is_found():
    item = _paired_item(answer={"expr": "b / (a - 2)"})  # only the second set divides by zero

    assert any("answer" in problem for problem in validate_item(item))


def test_the_answer_format_sets_how_the_correct_answer_is_shown():
    decimals = _paired_item(answer_format={"decimals": 3})
    figures = _paired_item(answer={"expr": "a * b / 7"}, answer_format={"sigfigs": 2})
    variant = draw_variant(decimals, 0)
    a, b = variant.params["a"], variant.params["b"]

    assert check_answer(decimals, variant, str(a * b)).correct_answer == f"{a * b:.3f}"
    assert (
        check_answer(figures, draw_variant(figures, 0), "1").correct_answer
        == f"{float(f'{a * b / 7:.1e}'):g}"
    )
    assert validate_item(_paired_item(answer_format={"decimals": -1})) != []
    assert validate_item(_paired_item(answer_format={"digits": 2})) != []
