"""Which items an attempt gets: each rule of a quiz draws its count at random.

The draw is seeded per attempt, so it is reproducible, and it prefers items the student has not
met in earlier attempts, topping up with already seen ones only when a rule runs out of fresh
items. An item picked by one rule is never picked again by a later rule.
"""

import hashlib
import random
from collections.abc import Iterable

from quizzes.models import Item, QuizRule
from quizzes.permissions import banks_for_user


def selection_seed(student_id: int, quiz_slug: str, attempt_number: int) -> int:
    """A stable seed for one student's n-th attempt at a quiz (64 bits of a sha256)."""
    digest = hashlib.sha256(f"select|{student_id}|{quiz_slug}|{attempt_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _owner_banks(rule: QuizRule):
    """The banks the rule's quiz owner may view, or None for no limit (no owner yet, or a superuser).

    "Any bank" means any bank the quiz's owner may use, so a quiz never shows its author, or
    the students taking it, items from another instructor's bank.
    """
    quiz = (
        getattr(rule, "quiz", None)
        if rule.quiz_id is not None or "quiz" in rule._state.fields_cache
        else None
    )
    owner = quiz.owner if quiz is not None and quiz.owner_id is not None else None
    if owner is None or owner.is_superuser:
        return None
    return banks_for_user(owner)


def rule_candidates(rule: QuizRule) -> list[Item]:
    """Every item the rule may draw from, in a fixed order so a seed always gives the same draw."""
    items = Item.objects.select_related("bank")
    banks = _owner_banks(rule)
    if banks is not None:
        items = items.filter(bank__in=banks.values("pk"))
    if rule.bank_id is not None:
        items = items.filter(bank_id=rule.bank_id)
    if rule.topics:
        items = items.filter(topics__slug__in=rule.topics)
    if rule.kinds:
        items = items.filter(kind__in=rule.kinds)
    return list(items.distinct().order_by("id"))


def pick(candidates: list[Item], count: int, *, seen_ids: set[int], rng: random.Random) -> list[Item]:
    """Up to `count` of `candidates`, unseen ones first, each group in random order."""
    fresh = [item for item in candidates if item.id not in seen_ids]
    stale = [item for item in candidates if item.id in seen_ids]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    return (fresh + stale)[:count]


def draw_items(rules: Iterable[QuizRule], *, seen_item_ids: set[int], rng: random.Random) -> list[Item]:
    """The items of a new attempt, rule by rule in rule order, without duplicates."""
    chosen: list[Item] = []
    taken: set[int] = set()
    for rule in rules:
        candidates = [item for item in rule_candidates(rule) if item.id not in taken]
        for item in pick(candidates, rule.count, seen_ids=seen_item_ids, rng=rng):
            chosen.append(item)
            taken.add(item.id)
    return chosen
