"""Saving and deleting items and banks for the authoring pages.

An item is checked like a bank import checks it before it is saved (atomically); deletes that
would erase students' recorded answers are refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import ProtectedError

from quizzes import events
from quizzes.bankio import BankProblem
from quizzes.bankio.validation import check_items
from quizzes.engine import draw_variant, render_item, validate_item
from quizzes.models import AttemptItem, Bank, Item, Topic
from quizzes.services.item_spec import COMMON_FIELDS
from quizzes.services.versions import item_version_current


class DeleteRefused(Exception):
    """Deleting would destroy students' recorded attempts."""


def item_problems(data: dict, *, bank: Bank, item: Item | None = None) -> list[str]:
    """Everything wrong with `data` (an engine item dict) as an item of `bank`; [] when it can be saved.

    The checks are the ones a bank import runs (common fields, then the engine's), so an item saved
    here never fails a later export and re-import; then one variant is drawn and rendered, so a
    template that breaks only at draw time is caught before students meet it.
    """
    others = Item.objects.filter(bank=bank).values_list("key", flat=True)
    if item is not None:
        others = others.exclude(pk=item.pk)
    checked = check_items([data], engine=validate_item, other_keys=list(others))
    problems = [_describe(problem) for problem in checked[0]]
    clashing = Item.objects.filter(bank=bank, key=data.get("key"))
    if item is not None:
        clashing = clashing.exclude(pk=item.pk)
    if clashing.exists():
        problems.append(f"key: another item in this bank already uses the key `{data.get('key')}`")
    if not problems:
        try:
            render_item(data, draw_variant(data, 1))
        except (ValueError, ArithmeticError) as exc:  # VariantError is a ValueError
            problems.append(f"drawing the variant for seed 1 failed: {exc}")
    return problems


def _describe(problem: BankProblem) -> str:
    return f"{problem.location.field}: {problem.message}" if problem.location.field else problem.message


def _topics_by_slug(slugs: list[str]) -> list[Topic]:
    topics = []
    for slug in slugs:
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
        )
        topics.append(topic)
    return topics


@transaction.atomic
def item_save(*, bank: Bank, data: dict, item: Item | None = None) -> Item:
    """Create (item=None) or update an item from an engine dict that `item_problems` accepted."""
    if item is None:
        last = bank.items.order_by("-position").values_list("position", flat=True).first()
        item = Item(bank=bank, position=0 if last is None else last + 1)
    item.key = data["key"]
    item.kind = data["kind"]
    item.title = data.get("title", "")
    item.stem = data["stem"]
    item.explanation = data.get("explanation", "")
    item.hints = list(data.get("hints", []))
    item.difficulty = data.get("difficulty", 2)
    item.spec = {name: value for name, value in data.items() if name not in COMMON_FIELDS}
    created = item.pk is None
    item.save()
    item.topics.set(_topics_by_slug(list(data.get("topics", []))))
    events.send_on_commit(events.item_edited, item_id=item.pk, bank_id=item.bank_id, created=created)
    return item


def item_attempt_count(item: Item) -> int:
    return AttemptItem.objects.filter(item=item).count()


def bank_attempt_count(bank: Bank) -> int:
    return AttemptItem.objects.filter(item__bank=bank).count()


def _delete_unless_answered(
    used: int, delete: Callable[[], object], *, refusal: str, late_refusal: str
) -> None:
    """Run `delete` unless students' recorded answers refer to what it removes (`used`, counted before)."""
    if used:
        raise DeleteRefused(refusal)
    try:
        delete()
    except ProtectedError as exc:  # an answer was recorded after the count
        raise DeleteRefused(late_refusal) from exc


def item_delete(item: Item) -> None:
    def delete() -> None:
        with transaction.atomic():
            _forget_sibling(item)
            item.delete()

    used = item_attempt_count(item)
    _delete_unless_answered(
        used,
        delete,
        refusal=f"{used} recorded answer(s) by students refer to this item; deleting it would erase "
        "their graded work. Edit the item instead, or leave it out of quizzes.",
        late_refusal="Students' recorded answers now refer to this item; it was not deleted.",
    )


def _forget_sibling(item: Item) -> None:
    """Drop a deleted item's key from the `siblings` of the bank's other items, so the bank stays valid."""
    for other in Item.objects.filter(bank_id=item.bank_id).exclude(pk=item.pk):
        siblings = other.spec.get("siblings") if isinstance(other.spec, dict) else None
        if isinstance(siblings, list) and item.key in siblings:
            remaining = [key for key in siblings if key != item.key]
            other.spec = (
                {**other.spec, "siblings": remaining}
                if remaining
                else {name: value for name, value in other.spec.items() if name != "siblings"}
            )
            other.save(update_fields=["spec", "updated_at"])
            item_version_current(item=other)


def bank_delete(bank: Bank) -> None:
    used = bank_attempt_count(bank)
    _delete_unless_answered(
        used,
        bank.delete,
        refusal=f"{used} recorded answer(s) by students refer to items of this bank; deleting the bank would "
        "erase their graded work.",
        late_refusal="Students' recorded answers now refer to this bank's items; it was not deleted.",
    )
