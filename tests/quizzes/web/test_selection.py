import random

import pytest

from accounts.services import user_create
from quizzes.models import Bank, BankShare, ShareRole
from quizzes.selection import (
    Candidate,
    draw_candidates,
    draw_candidates_of,
    draw_items,
    rule_candidates,
    selection_seed,
)


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


# The draw reads only the `hidden` and `siblings` keys of the candidates' specs; it must read them
# as the spec holds them (the string "true" is not `true`), on SQLite as on PostgreSQL.
HIDDEN_VALUES = [True, False, None, "true", "True", 1, 0, 2.5, ["b"], {"hidden": True}]
SIBLINGS_VALUES = [None, False, 0, "", [], ["b"], ["b", 3, "a", "c"], '["b"]', "b", {"b": 1}]


@pytest.mark.parametrize(
    ("hidden", "siblings"), list(zip(HIDDEN_VALUES, SIBLINGS_VALUES, strict=True)), ids=repr
)
def test_the_draw_reads_hidden_and_siblings_exactly_as_the_spec_holds_them(
    hidden, siblings, make_quiz, make_item
):
    make_item("truefalse", "a", hidden=hidden)
    make_item("truefalse", "b")
    make_item("truefalse", "c", siblings=siblings)
    make_item("truefalse", "d", note="no hidden or siblings key at all")
    (rule,) = make_quiz(rules=[{"count": 4}]).rules.all()
    assert draw_candidates(rule) == [Candidate.of(item) for item in rule_candidates(rule)]


@pytest.mark.parametrize("owner", ["none", "instructor", "superuser"])
def test_the_draw_reads_every_rules_candidates_at_once_as_each_rule_would_alone(
    owner, make_quiz, make_item, bank
):
    other = Bank.objects.create(slug="other", name="Other")
    unshared = Bank.objects.create(slug="unshared", name="Unshared")
    make_item("single", "a", topics=["momentum", "adam"])
    make_item("single", "b", topics=["adam"])
    make_item("numeric", "c", topics=["momentum"])
    make_item("numeric", "d")
    make_item("truefalse", "e", topics=["momentum"], hidden=True)
    make_item("truefalse", "f", topics=["sgd"], siblings=["a"])
    make_item("single", "g", topics=["momentum"], target_bank=other)
    make_item("numeric", "h", target_bank=other)
    make_item("single", "i", topics=["momentum"], target_bank=unshared)
    settings = {}
    if owner != "none":
        user = user_create(username="olga", password="pass-word-123", instructor=True)
        user.is_superuser = owner == "superuser"
        user.save()
        Bank.objects.filter(pk=bank.pk).update(owner=user)
        BankShare.objects.create(bank=other, user=user, role=ShareRole.VIEWER)
        settings["owner"] = user
    rules = [
        {"count": 1, "topics": ["momentum"], "kinds": ["single"]},
        {"count": 1, "kinds": ["numeric"]},
        {"count": 1, "bank": other},
        {"count": 1, "topics": ["adam", "sgd"], "bank": bank},
        {"count": 1, "topics": ["momentum", "nesterov"]},
        {"count": 1, "kinds": ["truefalse", "numeric"], "topics": ["momentum", "sgd"]},
        {"count": 1, "topics": ["nobody-teaches-this"]},
    ]
    quiz = make_quiz(rules=rules, **settings)
    every = list(quiz.rules.all())
    expected = [[Candidate.of(item) for item in rule_candidates(rule)] for rule in every]
    assert draw_candidates_of(every) == expected
    assert draw_candidates_of([*every, every[0]]) == [*expected, expected[0]]  # a rule drawn twice
    without_topics = [index for index, rule in enumerate(every) if not rule.topics]
    assert draw_candidates_of([every[index] for index in without_topics]) == [
        expected[index] for index in without_topics
    ]
    with_a_rule_of_any_item = [
        *every,
        *make_quiz(slug="any-item", rules=[{"count": 1}], **settings).rules.all(),
    ]
    assert draw_candidates_of(with_a_rule_of_any_item) == [
        [Candidate.of(item) for item in rule_candidates(rule)] for rule in with_a_rule_of_any_item
    ]
