import json

from quizzes.engine import check_answer, draw_variant, render_item
from tests.quizzes.engine import sample_items


def choice_ids(item, seed=0):
    rendered = render_item(item, draw_variant(item, seed))
    return {choice["text"]: choice["id"] for choice in rendered.choices}


class TestSingle:
    def test_the_correct_choice_scores_one_and_shows_its_feedback(self):
        item = sample_items.single()
        ids = choice_ids(item)
        result = check_answer(item, None, ids["It damps oscillation by accumulating past directions"])
        assert (result.status, result.score) == ("correct", 1.0)
        assert result.feedback == ["Yes."]
        assert "accumulates" in result.explanation or "velocity" in result.explanation

    def test_a_wrong_choice_scores_zero_with_its_feedback(self):
        item = sample_items.single()
        result = check_answer(item, None, choice_ids(item)["It sets the learning rate to zero"])
        assert (result.status, result.score) == ("incorrect", 0.0)
        assert result.feedback == ["Then nothing would move."]
        assert result.correct_answer == "It damps oscillation by accumulating past directions"

    def test_an_unknown_or_missing_choice_is_invalid(self):
        item = sample_items.single()
        for response in ("c-nope", None, "", ["x"]):
            assert check_answer(item, None, response).status == "invalid"


class TestMultiple:
    def ids(self):
        return choice_ids(sample_items.multiple())

    def test_all_correct_and_nothing_else_is_full_marks(self):
        ids = self.ids()
        result = check_answer(sample_items.multiple(), None, [ids["AdaGrad"], ids["RMSProp"], ids["Adam"]])
        assert (result.status, result.score) == ("correct", 1.0)

    def test_some_right_picks_give_partial_credit(self):
        ids = self.ids()
        result = check_answer(sample_items.multiple(), None, [ids["AdaGrad"], ids["Adam"]])
        assert result.status == "partial"
        assert abs(result.score - 2 / 3) < 1e-12

    def test_each_wrong_pick_costs_its_share_of_the_wrong_choices(self):
        ids = self.ids()
        result = check_answer(sample_items.multiple(), None, [ids["AdaGrad"], ids["Adam"], ids["Plain SGD"]])
        assert abs(result.score - (2 / 3 - 1 / 2)) < 1e-12

    def test_ticking_everything_earns_nothing(self):
        result = check_answer(sample_items.multiple(), None, list(self.ids().values()))
        assert (result.status, result.score) == ("incorrect", 0.0)

    def test_a_duplicated_pick_counts_once(self):
        ids = self.ids()
        result = check_answer(sample_items.multiple(), None, [ids["AdaGrad"], ids["AdaGrad"]])
        assert abs(result.score - 1 / 3) < 1e-12

    def test_malformed_responses_are_invalid(self):
        for response in ("AdaGrad", [1, 2], ["c-unknown"], None):
            assert check_answer(sample_items.multiple(), None, response).status == "invalid"


class TestTrueFalse:
    def test_true_in_any_spelling_is_correct(self):
        for response in (True, "true", "True", " yes "):
            result = check_answer(sample_items.truefalse(), None, response)
            assert (result.status, result.feedback) == ("correct", ["Right: m starts at 0."])

    def test_false_is_wrong_and_gets_the_false_feedback(self):
        result = check_answer(sample_items.truefalse(), None, "false")
        assert result.status == "incorrect"
        assert result.correct_answer == "True"
        assert "start at zero" in result.feedback[0]

    def test_anything_else_is_invalid(self):
        for response in ("maybe", None, 2, ""):
            assert check_answer(sample_items.truefalse(), None, response).status == "invalid"


class TestRendering:
    def test_choices_have_stable_ids_and_a_seeded_order(self):
        item = sample_items.multiple()
        first = render_item(item, draw_variant(item, 1)).choices
        again = render_item(item, draw_variant(item, 1)).choices
        assert first == again
        orders = {
            tuple(c["id"] for c in render_item(item, draw_variant(item, seed)).choices) for seed in range(20)
        }
        assert len(orders) > 1
        assert all(set(order) == {c["id"] for c in first} for order in orders)

    def test_shuffle_false_keeps_the_authors_order(self):
        item = {**sample_items.multiple(), "shuffle": False}
        texts = [choice["text"] for choice in render_item(item, draw_variant(item, 5)).choices]
        assert texts == [choice["text"] for choice in item["choices"]]

    def test_rendering_never_leaks_the_key(self):
        for factory in sample_items.ALL:
            item = factory()
            rendered = json.dumps(render_item(item, draw_variant(item, 3)).to_dict())
            for secret in ("correct", "feedback", "misconception", "explanation"):
                assert f'"{secret}"' not in rendered
            assert item["explanation"] not in rendered
            if factory is sample_items.single:
                assert "Yes." not in rendered
