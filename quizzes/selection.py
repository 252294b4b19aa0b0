"""Which items an attempt gets: each rule of a quiz draws its count at random.

The draw is seeded per attempt, so it is reproducible, and it prefers items the student has not
met in earlier attempts, topping up with already seen ones only when a rule runs out of fresh
items. An item picked by one rule is never picked again by a later rule.

Siblings (an item's `siblings`: keys of items of its bank that restate it) are never drawn into one
attempt: one's immediate feedback would give the other away. The relation is symmetric, so naming it
on one side is enough. A rule that runs out of items because of siblings draws fewer; the quiz's
rule checks (`max_without_siblings`) warn about it.
"""

import hashlib
import itertools
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
    """Every item the rule may draw from, in a fixed order so a seed always gives the same draw.

    Hidden items (`hidden: true`, as Moodle's hidden questions import) stay in their bank but are never drawn.
    """
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
    # Filtered here rather than in SQL: a JSON key lookup under NOT drops the rows that lack the key.
    return [item for item in items.distinct().order_by("id") if not _hidden(item)]


def _hidden(item: Item) -> bool:
    return isinstance(item.spec, dict) and item.spec.get("hidden") is True


ItemName = tuple[int, str]  # (bank id, key): how siblings name each other


def item_name(item: Item) -> ItemName:
    return (item.bank_id, item.key)


def named_siblings(item: Item) -> set[ItemName]:
    """The siblings the item itself names (in its bank); see `are_siblings` for the symmetric relation."""
    names = item.spec.get("siblings") if isinstance(item.spec, dict) else None
    return {(item.bank_id, key) for key in names or [] if isinstance(key, str)} - {item_name(item)}


def are_siblings(a: Item, b: Item) -> bool:
    return item_name(b) in named_siblings(a) or item_name(a) in named_siblings(b)


class _Draw:
    """The items of one attempt so far, and which items their siblings rule out."""

    def __init__(self) -> None:
        self.names: set[ItemName] = set()
        self.blocked: set[ItemName] = set()

    def allows(self, item: Item) -> bool:
        return item_name(item) not in self.blocked and not (named_siblings(item) & self.names)

    def add(self, item: Item) -> None:
        self.names.add(item_name(item))
        self.blocked |= named_siblings(item)


def pick(
    candidates: list[Item],
    count: int,
    *,
    seen_ids: set[int],
    rng: random.Random,
    draw: _Draw | None = None,
) -> list[Item]:
    """Up to `count` of `candidates`, unseen ones first, each group in random order, no two siblings."""
    fresh = [item for item in candidates if item.id not in seen_ids]
    stale = [item for item in candidates if item.id in seen_ids]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    draw = draw if draw is not None else _Draw()
    picked: list[Item] = []
    for item in fresh + stale:
        if len(picked) == count:
            break
        if draw.allows(item):
            picked.append(item)
            draw.add(item)
    return picked


def draw_items(rules: Iterable[QuizRule], *, seen_item_ids: set[int], rng: random.Random) -> list[Item]:
    """The items of a new attempt, rule by rule in rule order, without duplicates or siblings."""
    chosen: list[Item] = []
    taken: set[int] = set()
    draw = _Draw()
    for rule in rules:
        candidates = [item for item in rule_candidates(rule) if item.id not in taken]
        for item in pick(candidates, rule.count, seen_ids=seen_item_ids, rng=rng, draw=draw):
            chosen.append(item)
            taken.add(item.id)
    return chosen


# Sibling groups are a handful of restatements; a group larger than this is counted greedily.
_EXACT_GROUP_SIZE = 12


def max_without_siblings(items: list[Item]) -> int:
    """The most of `items` one attempt can hold when no two may be siblings."""
    groups: list[list[Item]] = []
    for item in items:
        joined = [group for group in groups if any(are_siblings(item, other) for other in group)]
        merged = [item] + [other for group in joined for other in group]
        groups = [group for group in groups if group not in joined] + [merged]
    return sum(_largest_sibling_free(group) for group in groups)


def _largest_sibling_free(group: list[Item]) -> int:
    if len(group) == 1:
        return 1
    if len(group) > _EXACT_GROUP_SIZE:
        draw = _Draw()
        for item in group:
            if draw.allows(item):
                draw.add(item)
        return len(draw.names)
    for size in range(len(group), 0, -1):
        for subset in itertools.combinations(group, size):
            if not any(are_siblings(a, b) for a, b in itertools.combinations(subset, 2)):
                return size
    return 1
