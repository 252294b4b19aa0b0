import random

import pytest

from quizzes.models import Bank
from quizzes.selection import draw_items, selection_seed


def _draw(quiz, seen=frozenset(), seed=1):
    return draw_items(quiz.rules.all(), seen_item_ids=set(seen), rng=random.Random(seed))


@pytest.fixture
def five_items(make_item):
    return [make_item("single", f"q{index}") for index in range(5)]


def test_same_seed_gives_the_same_draw(make_quiz, five_items):
    quiz = make_quiz(rules=[{"count": 3}])
    assert _draw(quiz, seed=7) == _draw(quiz, seed=7)


def test_different_seeds_usually_give_different_draws(make_quiz, five_items):
    quiz = make_quiz(rules=[{"count": 3}])
    draws = {tuple(item.key for item in _draw(quiz, seed=seed)) for seed in range(20)}
    assert len(draws) > 5


def test_unseen_items_are_preferred(make_quiz, five_items):
    quiz = make_quiz(rules=[{"count": 2}])
    seen = {item.id for item in five_items[:3]}
    for seed in range(10):
        assert {item.id for item in _draw(quiz, seen, seed)} == {five_items[3].id, five_items[4].id}


def test_seen_items_fill_up_when_unseen_run_out(make_quiz, five_items):
    quiz = make_quiz(rules=[{"count": 4}])
    seen = {item.id for item in five_items[:3]}
    drawn = _draw(quiz, seen)
    assert len(drawn) == 4
    assert {five_items[3].id, five_items[4].id} <= {item.id for item in drawn[:2]}


def test_no_item_is_drawn_twice_across_rules(make_quiz, five_items):
    quiz = make_quiz(rules=[{"count": 3}, {"count": 3}])
    drawn = _draw(quiz)
    assert len(drawn) == 5
    assert len({item.id for item in drawn}) == 5


def test_rules_filter_by_topic_kind_and_bank(make_quiz, make_item):
    other_bank = Bank.objects.create(slug="other", name="Other")
    momentum_choice = make_item("single", "a", topics=["momentum"])
    make_item("numeric", "b", topics=["momentum"])
    make_item("single", "c", topics=["adam"])
    elsewhere = make_item("single", "d", topics=["momentum"], target_bank=other_bank)
    quiz = make_quiz(rules=[{"count": 5, "topics": ["momentum"], "kinds": ["single"], "bank": other_bank}])
    assert _draw(quiz) == [elsewhere]
    quiz.rules.update(bank=None)
    assert {item.key for item in _draw(quiz)} == {momentum_choice.key, elsewhere.key}


def test_an_item_matching_several_topics_of_a_rule_is_drawn_once(make_quiz, make_item):
    make_item("single", "both", topics=["momentum", "nesterov"])
    quiz = make_quiz(rules=[{"count": 5, "topics": ["momentum", "nesterov"]}])
    assert [item.key for item in _draw(quiz)] == ["both"]


def test_selection_seed_is_stable_and_depends_on_every_part():
    assert selection_seed(1, "quiz", 1) == selection_seed(1, "quiz", 1)
    assert (
        len({selection_seed(1, "quiz", 1), selection_seed(2, "quiz", 1), selection_seed(1, "quiz", 2)}) == 3
    )
