"""Siblings: items that restate one another are never drawn into one attempt.

An item names its siblings by key (`siblings: [other-key]` in the bank file); the relation is
symmetric, validated (unknown keys are reported) and carried by YAML, while Moodle XML and GIFT
exports say they cannot hold it.
"""

import random
from pathlib import Path

import pytest
import yaml

from quizzes.engine import validate_item
from quizzes.models import Bank, Item
from quizzes.selection import draw_items, max_without_siblings, rule_candidates
from quizzes.services.attempts import attempt_start
from quizzes.services.banks import bank_export, bank_export_result, bank_import, bank_validate
from quizzes.services.item_store import item_delete, item_problems
from quizzes.services.quiz_authoring import RuleSpec, rule_checks, rule_warnings

BANKS = Path(__file__).resolve().parents[3] / "content" / "banks"


def _draws(quiz, attempts=60):
    rules = list(quiz.rules.select_related("bank"))
    return [
        {item.key for item in draw_items(rules, seen_item_ids=set(), rng=random.Random(n))}
        for n in range(attempts)
    ]


@pytest.mark.parametrize("named_on", ["first", "second", "both"])
def test_two_siblings_are_never_drawn_into_one_attempt_whichever_side_names_the_other(
    named_on, make_item, make_quiz
):
    make_item("truefalse", "a", siblings=["b"] if named_on in ("first", "both") else [])
    make_item("truefalse", "b", siblings=["a"] if named_on in ("second", "both") else [])
    make_item("truefalse", "c")
    make_item("truefalse", "d")
    draws = _draws(make_quiz(rules=({"count": 3},)))
    assert all(len(keys) == 3 and not {"a", "b"} <= keys for keys in draws)
    assert any("a" in keys for keys in draws) and any("b" in keys for keys in draws)


def test_siblings_are_kept_apart_across_rules(make_item, make_quiz, bank):
    make_item("truefalse", "a", topics=["one"], siblings=["b"])
    make_item("truefalse", "b", topics=["two"])
    make_item("truefalse", "c", topics=["two"])
    quiz = make_quiz(rules=({"count": 1, "topics": ["one"]}, {"count": 1, "topics": ["two"]}))
    assert all(keys == {"a", "c"} for keys in _draws(quiz, attempts=20))


def test_a_rule_with_only_siblings_left_draws_fewer_items(make_item, make_quiz, student):
    make_item("truefalse", "a", siblings=["b"])
    make_item("truefalse", "b")
    attempt = attempt_start(quiz=make_quiz(rules=({"count": 2},)), student=student)
    assert attempt.attempt_items.count() == 1


def test_items_without_siblings_draw_as_before(make_item, make_quiz):
    for key in "abcdef":
        make_item("truefalse", key)
    rules = list(make_quiz(rules=({"count": 3},)).rules.all())
    for seed in range(10):
        drawn = [item.key for item in draw_items(rules, seen_item_ids=set(), rng=random.Random(seed))]
        # Without siblings the draw is the plain seeded shuffle of the candidates, cut to the count.
        plain = rule_candidates(rules[0])
        random.Random(seed).shuffle(plain)
        assert drawn == [item.key for item in plain[:3]]


def test_the_rule_check_warns_when_siblings_leave_too_few_items(make_item, bank):
    make_item("truefalse", "a", siblings=["b", "c"])
    make_item("truefalse", "b")
    make_item("truefalse", "c")
    make_item("truefalse", "d")
    (check,) = rule_checks([RuleSpec(bank=bank, topics=[], kinds=[], count=3)])
    assert (check.matching, check.drawable) == (4, 3)
    assert check.warning is None
    (warning,) = rule_warnings([RuleSpec(bank=bank, topics=[], kinds=[], count=4)])
    assert "siblings" in warning and "at most 3" in warning


def test_the_largest_sibling_free_set_is_counted_exactly_for_a_chain(make_item):
    # a - b - c - d: a and c (or b and d, or a and d) can go together, so at most 2 of 4.
    items = [
        make_item("truefalse", "a", siblings=["b"]),
        make_item("truefalse", "b", siblings=["c"]),
        make_item("truefalse", "c", siblings=["d"]),
        make_item("truefalse", "d"),
    ]
    assert max_without_siblings(items) == 2


# --- validation ---------------------------------------------------------------------------------

BANK_YAML = """\
format: descent-bank/1
bank: {{slug: sib, name: Sibling bank}}
items:
  - key: first
    kind: truefalse
    siblings: [{sibling}]
    stem: SGD subtracts the gradient.
    answer: true
    explanation: It moves downhill.
  - key: second
    kind: truefalse
    stem: SGD adds the gradient.
    answer: false
    explanation: It moves downhill.
"""


def test_an_unknown_sibling_key_is_reported_and_nothing_is_imported(db):
    report = bank_import(text=BANK_YAML.format(sibling="no-such-item"), fmt="yaml", filename="sib.yaml")
    assert not report.ok
    assert any("unknown sibling key 'no-such-item'" in str(problem) for problem in report.problems)


@pytest.mark.parametrize(
    ("siblings", "message"),
    [("first-item", "own sibling"), (["x", "x"], "listed twice"), ("not a list", "must be a list")],
)
def test_malformed_siblings_are_refused_by_the_engine(siblings, message):
    item = {
        "key": "first-item",
        "kind": "truefalse",
        "stem": "S",
        "explanation": "E",
        "answer": True,
        "siblings": [siblings] if siblings == "first-item" else siblings,
    }
    assert any(message in problem for problem in validate_item(item))


def test_an_item_saved_alone_may_name_an_existing_item_of_its_bank(make_item, bank):
    make_item("truefalse", "existing")
    data = {"key": "new", "kind": "truefalse", "stem": "S", "explanation": "E", "answer": True}
    assert item_problems({**data, "siblings": ["existing"]}, bank=bank) == []
    problems = item_problems({**data, "siblings": ["missing"]}, bank=bank)
    assert any("unknown sibling key 'missing'" in problem for problem in problems)


def test_yaml_round_trips_siblings(db):
    report = bank_import(text=BANK_YAML.format(sibling="second"), fmt="yaml", filename="sib.yaml")
    assert report.ok, report.problems
    exported = yaml.safe_load(bank_export(bank=Bank.objects.get(slug="sib"), fmt="yaml"))
    by_key = {item["key"]: item for item in exported["items"]}
    assert by_key["first"]["siblings"] == ["second"] and "siblings" not in by_key["second"]
    again = bank_import(text=yaml.safe_dump(exported), fmt="yaml", filename="sib.yaml")
    assert again.ok and Item.objects.get(key="first").spec["siblings"] == ["second"]


@pytest.mark.parametrize(("fmt", "name"), [("moodle-xml", "Moodle XML"), ("gift", "GIFT")])
def test_moodle_xml_and_gift_exports_report_that_siblings_are_not_carried(fmt, name, db):
    assert bank_import(text=BANK_YAML.format(sibling="second"), fmt="yaml", filename="sib.yaml").ok
    result = bank_export_result(bank=Bank.objects.get(slug="sib"), fmt=fmt)
    assert any(note.startswith(f"{name} has no sibling field") for note in result.notes)


# --- the demo banks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bank_file", "first", "second"),
    [
        ("concepts-adaptive.yaml", "adam-epsilon-placement", "adam-epsilon-inside-root"),
        ("concepts-adaptive.yaml", "adamw-versus-l2-in-adam", "l2-penalty-equals-adamw"),
    ],
)
def test_the_demo_restatements_named_in_the_issue_are_siblings(bank_file, first, second):
    items = {item["key"]: item for item in yaml.safe_load((BANKS / bank_file).read_text())["items"]}
    assert second in items[first].get("siblings", []) or first in items[second].get("siblings", [])


def test_deleting_an_item_removes_it_from_its_siblings_so_the_bank_stays_valid(make_item, bank):
    keeper = make_item("truefalse", "keeper", siblings=["gone", "other"])
    make_item("truefalse", "other")
    item_delete(make_item("truefalse", "gone"))
    keeper.refresh_from_db()
    assert keeper.spec["siblings"] == ["other"]
    assert bank_validate(bank=bank) == []
