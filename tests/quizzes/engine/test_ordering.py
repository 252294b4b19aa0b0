from quizzes.engine import check_answer, draw_variant, render_item
from tests.quizzes.engine import sample_items


def step_ids(item):
    """Step ids in the correct order, read from a rendering (ids are all a client ever sees)."""
    by_text = {step["text"]: step["id"] for step in render_item(item, draw_variant(item, 0)).steps}
    return [by_text[text] for text in item["steps"]]


def test_the_right_order_scores_one():
    item = sample_items.ordering()
    result = check_answer(item, None, step_ids(item))
    assert (result.status, result.score) == ("correct", 1.0)
    assert result.correct_answer.startswith("1. Check the logs")


def test_one_swapped_pair_gives_partial_credit_by_pairs():
    item = sample_items.ordering()
    a, b, c, d = step_ids(item)
    result = check_answer(item, None, [a, c, b, d])
    assert result.status == "partial"
    assert abs(result.score - 2 / 3) < 1e-12


def test_the_reversed_order_scores_zero():
    item = sample_items.ordering()
    result = check_answer(item, None, list(reversed(step_ids(item))))
    assert (result.status, result.score) == ("incorrect", 0.0)


def test_missing_repeated_or_unknown_steps_are_invalid():
    item = sample_items.ordering()
    a, b, c, d = step_ids(item)
    for response in ([a, b, c], [a, a, b, c], [a, b, c, "s-nope"], "abcd", None):
        assert check_answer(item, None, response).status == "invalid"


def test_steps_are_never_shown_in_the_correct_order():
    item = sample_items.ordering()
    for seed in range(30):
        shown = [step["text"] for step in render_item(item, draw_variant(item, seed)).steps]
        assert sorted(shown) == sorted(item["steps"])
        assert shown != item["steps"]
