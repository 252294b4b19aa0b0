"""Item versions and explicit regrades.

Every change to an item's content makes a new `ItemVersion` (an immutable snapshot of
`Item.to_dict()`). An attempt pins the version of each item it drew and is checked against it,
so editing a key during an exam changes nothing for the attempts already running. To apply a
corrected key to them, an instructor regrades: `regrade_preview` shows, per attempt, the score
before and after; `regrade_apply` moves the attempts to the chosen version, rescores them and
logs who did it, when, from which version to which, and every score that changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.utils import timezone

from quizzes import events
from quizzes.engine import check_answer, draw_variant
from quizzes.engine.kinds import UNSCORED_KINDS
from quizzes.engine.result import Variant
from quizzes.engine.settings import item_weight, weighted_mean
from quizzes.models import Attempt, AttemptItem, AttemptStatus, Item, ItemVersion, Regrade


def item_version_current(*, item: Item, author=None) -> ItemVersion:
    """The version matching the item as it is now, made (numbered one past the last) if it differs.

    Called after every save of an item (pages, import) and again when an attempt draws the item,
    so an edit made any other way (the admin) still gets its own version before anyone sees it.
    """
    data = item.to_dict()
    for _ in range(3):
        latest = item.versions.order_by("-number").first()
        if latest is not None and latest.data == data:
            return latest
        try:
            with transaction.atomic():
                return ItemVersion.objects.create(
                    item=item, number=(latest.number + 1 if latest else 1), data=data, author=author
                )
        except IntegrityError:
            continue  # another request numbered a version at the same moment; look again
    raise RuntimeError(f"could not number a new version of item {item.pk}")


def item_versions_current(items: list[Item]) -> dict[int, ItemVersion]:
    """`item_version_current` of many items, by item id, in two queries (their topics and their
    newest versions) when none has changed since its newest version; a changed one gets its own."""
    prefetch_related_objects(items, "topics")
    newest_number = ItemVersion.objects.filter(item=OuterRef("item")).order_by("-number").values("number")[:1]
    newest = {
        version.item_id: version
        for version in ItemVersion.objects.filter(
            item__in=[item.pk for item in items], number=Subquery(newest_number)
        )
    }
    current = {}
    for item in items:
        version = newest.get(item.pk)
        if version is None or version.data != item.to_dict():
            version = item_version_current(item=item)
        current[item.pk] = version
    return current


def item_versions(item: Item) -> list[ItemVersion]:
    return list(item.versions.select_related("author").order_by("-number"))


@dataclass
class RegradeRow:
    """One attempt item a regrade would move, with its scores before and after."""

    attempt_item: AttemptItem
    from_number: int | None
    old_score: float | None
    new_score: float | None
    old_attempt_score: float | None
    new_attempt_score: float | None
    error: str = ""
    new_result: dict | None = field(default=None, repr=False)
    new_variant: dict | None = field(default=None, repr=False)

    @property
    def changes_score(self) -> bool:
        return self.old_score != self.new_score

    @property
    def attempt(self) -> Attempt:
        return self.attempt_item.attempt


def regrade_preview(*, item: Item, to_version: ItemVersion) -> list[RegradeRow]:
    """What moving every attempt at `item` to `to_version` would do; nothing is written."""
    if to_version.item_id != item.pk:
        raise ValueError("that version belongs to another item")
    attempt_items = list(
        AttemptItem.objects.filter(item=item)
        .exclude(version=to_version)
        .select_related("attempt__quiz", "attempt__student", "version")
        .order_by("attempt__quiz__slug", "attempt__student__username", "attempt__number")
    )
    siblings = _sibling_scores([row.attempt_id for row in attempt_items])
    return [_row(attempt_item, to_version, siblings) for attempt_item in attempt_items]


def counted_items(attempt_items):
    """The attempt items an attempt's mean counts: descriptions (unscored kinds) are left out."""
    return attempt_items.exclude(item__kind__in=UNSCORED_KINDS)


def _weight(version_data: dict | None, item_spec: dict | None) -> float:
    """An attempt item's weight: from the version it drew, else from the item as it is now."""
    data = version_data if isinstance(version_data, dict) else item_spec
    return item_weight(data) if isinstance(data, dict) else 1.0


def counted_scores(attempt_items) -> list[tuple[float | None, float]]:
    """(score, weight) of every attempt item an attempt's score counts (see `counted_items`)."""
    rows = counted_items(attempt_items).values_list("score", "version__data", "item__spec")
    return [(score, _weight(data, spec)) for score, data, spec in rows]


def attempt_raw_score(attempt_items) -> float:
    """The weighted mean of the counted items' scores: each item weighs its `weight` (default 1)."""
    return weighted_mean(counted_scores(attempt_items))


def _sibling_scores(attempt_ids: list[int]) -> dict[int, dict[int, tuple[float | None, float]]]:
    """Attempt id -> {attempt item id: (score, weight)} for every counted item of those attempts."""
    scores: dict[int, dict[int, tuple[float | None, float]]] = {}
    rows = counted_items(AttemptItem.objects.filter(attempt_id__in=attempt_ids)).values_list(
        "attempt_id", "pk", "score", "version__data", "item__spec"
    )
    for attempt_id, pk, score, data, spec in rows:
        scores.setdefault(attempt_id, {})[pk] = (score, _weight(data, spec))
    return scores


def _row(attempt_item: AttemptItem, to_version: ItemVersion, siblings) -> RegradeRow:
    attempt = attempt_item.attempt
    row = RegradeRow(
        attempt_item=attempt_item,
        from_number=attempt_item.version.number if attempt_item.version is not None else None,
        old_score=attempt_item.score,
        new_score=attempt_item.score,
        old_attempt_score=attempt.score,
        new_attempt_score=attempt.score,
    )
    try:
        if attempt_item.answered_at is None:
            # Not answered yet: the student will answer the new version (same seed, same values
            # when the parameters did not change).
            row.new_variant = draw_variant(to_version.data, attempt_item.seed).to_dict()
        else:
            # Answered: the same response and the same drawn values, checked against the new key.
            result = check_answer(
                to_version.data, Variant.from_dict(attempt_item.variant), attempt_item.response
            )
            row.new_result = result.to_dict()
            row.new_score = result.score
    except Exception as exc:  # noqa: BLE001 - a version the engine cannot use is reported per row
        row.error = f"cannot be checked against version {to_version.number}: {exc}"
        row.new_score = row.old_score
        return row
    if attempt.status == AttemptStatus.FINISHED:
        scores = dict(siblings.get(attempt.pk, {}))
        if attempt_item.pk in scores:  # an unscored item (a description) stays out of the mean
            # The weight is the one the new version gives the item.
            scores[attempt_item.pk] = (row.new_score, item_weight(to_version.data))
        row.new_attempt_score = weighted_mean(list(scores.values())) * _penalty(attempt)
    return row


def _penalty(attempt: Attempt) -> float:
    quiz = attempt.quiz
    return max(0.0, 1.0 - quiz.penalty_per_extra_attempt * (attempt.number - 1))


def regrade_apply(*, item: Item, to_version: ItemVersion, by) -> Regrade:
    """Move every attempt at `item` to `to_version`, rescore, and log it; all or nothing.

    Rows that cannot be checked against the new version (see the preview) are left as they are.
    """
    now = timezone.now()
    with transaction.atomic():
        # Lock the attempts first (the order the answer service locks in), then their items.
        attempt_ids = list(
            AttemptItem.objects.filter(item=item)
            .exclude(version=to_version)
            .values_list("attempt_id", flat=True)
        )
        list(Attempt.objects.select_for_update().filter(pk__in=attempt_ids).order_by("pk"))
        rows = regrade_preview(item=item, to_version=to_version)
        changes, touched = [], set()
        for row in rows:
            if row.error:
                continue
            attempt_item = row.attempt_item
            attempt_item.version = to_version
            fields = ["version"]
            if row.new_variant is not None:
                attempt_item.variant = row.new_variant
                fields.append("variant")
            if row.new_result is not None:
                attempt_item.result, attempt_item.score = row.new_result, row.new_score
                fields += ["result", "score"]
            attempt_item.save(update_fields=fields)
            attempt = attempt_item.attempt
            if attempt.status == AttemptStatus.FINISHED:
                touched.add(attempt.pk)
            changes.append(
                {
                    "attempt": attempt.pk,
                    "quiz": attempt.quiz.slug,
                    "student": attempt.student.username,
                    "attempt_number": attempt.number,
                    "position": attempt_item.position,
                    "from_version": row.from_number,
                    "old_score": row.old_score,
                    "new_score": row.new_score,
                    "old_attempt_score": row.old_attempt_score,
                    "new_attempt_score": row.new_attempt_score,
                }
            )
        quiz_students = set()
        for attempt in Attempt.objects.filter(pk__in=touched).select_related("quiz"):
            attempt.raw_score = attempt_raw_score(AttemptItem.objects.filter(attempt=attempt))
            attempt.score = attempt.raw_score * _penalty(attempt)
            attempt.save(update_fields=["raw_score", "score"])
            quiz_students.add((attempt.quiz_id, attempt.student_id))
        regrade = Regrade.objects.create(item=item, to_version=to_version, performed_by=by, changes=changes)
        Regrade.objects.filter(pk=regrade.pk).update(performed_at=now)
        events.send_on_commit(events.attempts_regraded, quiz_students=quiz_students)
    return regrade
