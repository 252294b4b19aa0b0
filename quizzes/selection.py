"""Which items an attempt gets: each rule of a quiz draws its count at random.

The draw is seeded per attempt, so it is reproducible, and it prefers items the student has not
met in earlier attempts, topping up with already seen ones only when a rule runs out of fresh
items. An item picked by one rule is never picked again by a later rule.

Siblings (an item's `siblings`: keys of items of its bank that restate it) are never drawn into one
attempt: one's immediate feedback would give the other away. The relation is symmetric, so naming it
on one side is enough. A rule that runs out of items because of siblings draws fewer; the quiz's
rule checks (`max_without_siblings`) warn about it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, JSONField, Q, QuerySet, Value
from django.db.models.fields.json import KeyTransform

from quizzes.models import Item, QuizRule
from quizzes.permissions import banks_for_user


def selection_seed(student_id: int, quiz_slug: str, attempt_number: int) -> int:
    """A stable seed for one student's n-th attempt at a quiz (64 bits of a sha256)."""
    digest = hashlib.sha256(f"select|{student_id}|{quiz_slug}|{attempt_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _bank_limit(rule: QuizRule):
    """The user whose banks the rule may draw from, or None for no limit (no owner yet, or a superuser).

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
    return owner


def _limited_to_owner_banks(items: QuerySet[Item], owner) -> QuerySet[Item]:
    return items if owner is None else items.filter(bank__in=banks_for_user(owner).values("pk"))


def _rule_items(rule: QuizRule) -> QuerySet[Item]:
    """The items matching the rule's bank, topics and kinds (hidden ones included), without duplicates."""
    items = _limited_to_owner_banks(Item.objects.all(), _bank_limit(rule))
    if rule.bank_id is not None:
        items = items.filter(bank_id=rule.bank_id)
    if rule.topics:
        items = items.filter(topics__slug__in=rule.topics)
    if rule.kinds:
        items = items.filter(kind__in=rule.kinds)
    return items.distinct().order_by("id")


def rule_candidates(rule: QuizRule) -> list[Item]:
    """Every item the rule may draw from, in a fixed order so a seed always gives the same draw.

    Hidden items (`hidden: true`, as Moodle's hidden questions import) stay in their bank but are never drawn.
    """
    # Filtered here rather than in SQL: a JSON key lookup under NOT drops the rows that lack the key.
    return [item for item in _rule_items(rule).select_related("bank") if not _hidden(item)]


def _spec_value(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, dict) else None


def _hidden(item: Item) -> bool:
    return _spec_value(item.spec, "hidden") is True


class _SpecKey(KeyTransform):
    """One key of a JSON column, read back as the JSON value it holds (None when it is absent).

    On PostgreSQL this is KeyTransform's `->`. On SQLite, KeyTransform's JSON_EXTRACT hands a
    string back unquoted, so the string "true" would read as the boolean true: here strings are
    quoted again and true/false/null come back as JSON text, so both backends read the same value.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        path = connection.ops.compile_json_path(key_transforms)
        sql = (
            f"(CASE JSON_TYPE({lhs}, %s) WHEN 'text' THEN JSON_QUOTE(JSON_EXTRACT({lhs}, %s)) "
            f"WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' "
            f"ELSE JSON_EXTRACT({lhs}, %s) END)"
        )
        return sql, (*params, path, *params, path, *params, path)


ItemName = tuple[int, str]  # (bank id, key): how siblings name each other


def item_name(item: Item) -> ItemName:
    return (item.bank_id, item.key)


def _sibling_names(name: ItemName, siblings: Any) -> frozenset[ItemName]:
    """The names an item's `siblings` value gives (keys of its own bank), without its own."""
    bank_id = name[0]
    return frozenset((bank_id, key) for key in siblings or [] if isinstance(key, str)) - {name}


def named_siblings(item: Item) -> set[ItemName]:
    """The siblings the item itself names (in its bank); see `are_siblings` for the symmetric relation."""
    return set(_sibling_names(item_name(item), _spec_value(item.spec, "siblings")))


def are_siblings(a: Item, b: Item) -> bool:
    return item_name(b) in named_siblings(a) or item_name(a) in named_siblings(b)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What a draw needs to know of an item: its id, its name and the siblings it names."""

    id: int
    name: ItemName
    siblings: frozenset[ItemName]

    @classmethod
    def of(cls, item: Item) -> Candidate:
        return cls(item.id, item_name(item), frozenset(named_siblings(item)))


def _rule_filter(rule: QuizRule) -> Q:
    """`_rule_items`'s filters as one condition (each topic row of an item is tested on its own)."""
    condition = Q()
    if rule.bank_id is not None:
        condition &= Q(bank_id=rule.bank_id)
    if rule.topics:
        condition &= Q(topics__slug__in=rule.topics)
    if rule.kinds:
        condition &= Q(kind__in=rule.kinds)
    return condition


def _matches(rule: QuizRule, bank_id: int, kind: str, topic: str | None) -> bool:
    """`_rule_filter` on one row of an item joined with one of its topics, as the database tests it."""
    return (
        (rule.bank_id is None or bank_id == rule.bank_id)
        and (not rule.topics or (topic is not None and topic in rule.topics))  # SQL: NULL IN (...) fails
        and (not rule.kinds or kind in rule.kinds)
    )


def draw_candidates_of(rules: list[QuizRule]) -> list[list[Candidate]]:
    """`rule_candidates` of every rule as the draw needs them: the same items in the same order,
    read for all rules at once and without their specs (only their `hidden` and `siblings` keys),
    so a draw of a few items does not load every question the rules could draw.

    One query per bank owner the rules answer to (one for a quiz): the rows of every item some rule
    matches, one per topic of the item, each tested against each rule as `_rule_items` does in SQL.
    """
    by_rule: list[list[Candidate]] = [[] for _ in rules]
    groups: dict[int | None, list[int]] = {}
    owners: dict[int | None, Any] = {}
    for index, rule in enumerate(rules):
        owner = _bank_limit(rule)
        key = owner.pk if owner is not None else None
        groups.setdefault(key, []).append(index)
        owners[key] = owner
    for key, indexes in groups.items():
        conditions = [_rule_filter(rules[index]) for index in indexes]
        items = _limited_to_owner_banks(Item.objects.all(), owners[key])
        if all(conditions):  # a rule without any filter matches every item: no condition then
            items = items.filter(functools.reduce(operator.or_, conditions))
        # An item's topics are joined (a row per topic) only when some rule asks for topics.
        by_topic = any(rules[index].topics for index in indexes)
        rows = items.order_by("id").values_list(
            "id",
            "bank_id",
            "key",
            "kind",
            "topics__slug" if by_topic else Value(None, output_field=CharField()),
            _SpecKey("hidden", "spec", output_field=JSONField()),
            _SpecKey("siblings", "spec", output_field=JSONField()),
        )
        candidates: dict[int, Candidate] = {}  # in id order
        matched: dict[int, set[int]] = {}  # item id -> the indexes of the rules it matches
        for pk, bank_id, item_key, kind, topic, hidden, siblings in rows:
            if hidden is True:
                continue
            if pk not in candidates:
                name = (bank_id, item_key)
                candidates[pk] = Candidate(pk, name, _sibling_names(name, siblings))
                matched[pk] = set()
            matched[pk].update(index for index in indexes if _matches(rules[index], bank_id, kind, topic))
        for pk, candidate in candidates.items():
            for index in matched[pk]:
                by_rule[index].append(candidate)
    return by_rule


def draw_candidates(rule: QuizRule) -> list[Candidate]:
    """`draw_candidates_of` one rule."""
    return draw_candidates_of([rule])[0]


class _Draw:
    """The items of one attempt so far, and which items their siblings rule out."""

    def __init__(self) -> None:
        self.names: set[ItemName] = set()
        self.blocked: set[ItemName] = set()

    def allows(self, candidate: Candidate) -> bool:
        return candidate.name not in self.blocked and not (candidate.siblings & self.names)

    def add(self, candidate: Candidate) -> None:
        self.names.add(candidate.name)
        self.blocked |= candidate.siblings


def pick(
    candidates: list[Candidate],
    count: int,
    *,
    seen_ids: set[int],
    rng: random.Random,
    draw: _Draw | None = None,
) -> list[Candidate]:
    """Up to `count` of `candidates`, unseen ones first, each group in random order, no two siblings."""
    fresh = [candidate for candidate in candidates if candidate.id not in seen_ids]
    stale = [candidate for candidate in candidates if candidate.id in seen_ids]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    draw = draw if draw is not None else _Draw()
    picked: list[Candidate] = []
    for candidate in fresh + stale:
        if len(picked) == count:
            break
        if draw.allows(candidate):
            picked.append(candidate)
            draw.add(candidate)
    return picked


def draw_item_ids(rules: Iterable[QuizRule], *, seen_item_ids: set[int], rng: random.Random) -> list[int]:
    """The ids of a new attempt's items, rule by rule in rule order, without duplicates or siblings."""
    rules = list(rules)
    chosen: list[int] = []
    taken: set[int] = set()
    draw = _Draw()
    for rule, of_rule in zip(rules, draw_candidates_of(rules), strict=True):
        candidates = [candidate for candidate in of_rule if candidate.id not in taken]
        for candidate in pick(candidates, rule.count, seen_ids=seen_item_ids, rng=rng, draw=draw):
            chosen.append(candidate.id)
            taken.add(candidate.id)
    return chosen


def draw_items(rules: Iterable[QuizRule], *, seen_item_ids: set[int], rng: random.Random) -> list[Item]:
    """The items of a new attempt (`draw_item_ids`), read with their banks in one query."""
    ids = draw_item_ids(rules, seen_item_ids=seen_item_ids, rng=rng)
    items = Item.objects.select_related("bank").in_bulk(ids)
    # An item deleted since the draw read it is left out rather than failing the whole attempt.
    return [items[pk] for pk in ids if pk in items]


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
        for candidate in map(Candidate.of, group):
            if draw.allows(candidate):
                draw.add(candidate)
        return len(draw.names)
    for size in range(len(group), 0, -1):
        for subset in itertools.combinations(group, size):
            if not any(are_siblings(a, b) for a, b in itertools.combinations(subset, 2)):
                return size
    return 1
