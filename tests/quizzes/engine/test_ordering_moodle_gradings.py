"""Moodle's ordering grading types as an item option beside our adjacent-pairs rule."""

import pytest

from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from tests.quizzes.engine import sample_items


def _item(**options):
    return {**sample_items.ordering(), **options}


def _ids(item, order):
    """Step ids for `order`, a string of step letters in the key's order ("ABCD" is the key)."""
    by_text = {step["text"]: step["id"] for step in render_item(item, draw_variant(item, 0)).steps}
    key = [by_text[text] for text in item["steps"]]
    return [key["ABCD".index(letter)] for letter in order]


# Worked by hand from qtype_ordering's definitions, for the key ABCD.
CASES = [
    ("pairs", "BACD", 2 / 3),
    ("all_or_nothing", "BACD", 0.0),
    ("all_or_nothing", "ABCD", 1.0),
    ("absolute_position", "BACD", 2 / 4),
    ("relative_next_exclude_last", "BACD", 1 / 3),
    ("relative_next_include_last", "BACD", 2 / 4),
    ("relative_one_previous_and_next", "BACD", 3 / 8),
    ("relative_all_previous_and_next", "BACD", 10 / 12),
    ("longest_ordered_subset", "ACBD", 3 / 4),
    ("longest_contiguous_subset", "ACBD", 2 / 4),
    ("longest_contiguous_subset", "DCBA", 0.0),  # runs of one step count nothing
    ("relative_to_correct", "BACD", 10 / 12),
]


@pytest.mark.parametrize(("grading", "order", "score"), CASES)
def test_each_grading_type_scores_as_moodle_does(grading, order, score):
    item = _item(grading=grading)

    result = check_answer(item, None, _ids(item, order))

    assert result.score == pytest.approx(score)


@pytest.mark.parametrize("grading", [case[0] for case in CASES])
def test_the_key_scores_full_marks_under_every_grading(grading):
    item = _item(grading=grading)

    assert check_answer(item, None, _ids(item, "ABCD")).status == "correct"


def test_an_unknown_grading_or_layout_is_refused_by_name():
    problems = validate_item(_item(grading="by_vibes", layout="diagonal"))

    assert any(problem.startswith("grading: must be one of pairs, all_or_nothing") for problem in problems)
    assert any(problem.startswith("layout: must be one of vertical, horizontal") for problem in problems)


def test_a_horizontal_layout_reaches_the_rendering():
    assert render_item(_item(layout="horizontal"), None).layout == "horizontal"
    assert render_item(_item(), None).layout == ""
