"""Keeping the item statistics' running sums (models QuizStudentTotals, ItemScoreSums, OptionPickCount).

Two ways in, both per (quiz, student):
- `record_finished_attempt` adds one attempt, in the transaction that finishes it;
- `rebuild_student_sums` recomputes a student's sums from their finished attempts. The statistics
  page calls it for any student whose stored checksum (attempt count and sum of attempt ids) no
  longer matches the attempts table, so attempts finished before the sums existed, bulk-loaded
  ones and deleted ones all heal themselves; `manage.py backfill_item_sums` does it for everyone.

Both lock the student's QuizStudentTotals row first, so an attempt finishing while the page
rebuilds that student is counted exactly once: whichever runs second sees the other's work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction
from django.db.models import Count, QuerySet, Sum

from courses.models import Enrollment, ItemScoreSums, OptionPickCount, QuizStudentTotals
from courses.running_sums import ScoredItem, attempt_item_sums, choice_picks
from courses.stats import ItemSums
from quizzes.models import Attempt, AttemptItem, AttemptStatus
from quizzes.scores import FULL_MARKS

SUM_FIELDS = ("n", "sum_x", "sum_x2", "sum_r", "sum_r2", "sum_xr", "max_score")


def _scored_items(attempt_items: QuerySet[AttemptItem]) -> dict[int, list[ScoredItem]]:
    """Attempt id -> its items, read in one query."""
    by_attempt: dict[int, list[ScoredItem]] = {}
    rows = attempt_items.order_by().values_list(
        "attempt_id", "item_id", "item__kind", "score", "response", "answered_at"
    )
    for attempt_id, item_id, kind, score, response, answered_at in rows.iterator(chunk_size=5000):
        by_attempt.setdefault(attempt_id, []).append(
            ScoredItem(item_id, kind, score, response, answered=answered_at is not None)
        )
    return by_attempt


def _locked_totals(quiz_id: int, student_ids: list[int]) -> dict[int, QuizStudentTotals]:
    """The students' totals rows, created when missing and locked until the transaction ends."""
    QuizStudentTotals.objects.bulk_create(
        [QuizStudentTotals(quiz_id=quiz_id, student_id=student_id) for student_id in student_ids],
        ignore_conflicts=True,
    )
    locked = QuizStudentTotals.objects.select_for_update().filter(quiz_id=quiz_id, student_id__in=student_ids)
    return {totals.student_id: totals for totals in locked}


def _add_item_sums(quiz_id: int, student_id: int, added: dict[int, ItemSums]) -> None:
    existing = {
        row.item_id: row
        for row in ItemScoreSums.objects.filter(quiz_id=quiz_id, student_id=student_id, item_id__in=added)
    }
    changed, new = [], []
    for item_id, sums in added.items():
        row = existing.get(item_id)
        if row is None:
            new.append(ItemScoreSums(quiz_id=quiz_id, student_id=student_id, item_id=item_id))
            row = new[-1]
            stored = ItemSums(0, 0.0, 0.0, 0.0, 0.0, 0.0, max_score=0.0)
        else:
            changed.append(row)
            stored = ItemSums(*(getattr(row, name) for name in SUM_FIELDS))
        total = stored + replace(sums, max_score=FULL_MARKS)
        for name in SUM_FIELDS:
            setattr(row, name, getattr(total, name))
    ItemScoreSums.objects.bulk_update(changed, SUM_FIELDS)
    ItemScoreSums.objects.bulk_create(new)


def _add_picks(quiz_id: int, student_id: int, picks: dict[tuple[int, str], tuple[object, int]]) -> None:
    if not picks:
        return
    existing = {
        (row.item_id, row.response_key): row
        for row in OptionPickCount.objects.filter(
            quiz_id=quiz_id, student_id=student_id, item_id__in={item_id for item_id, _ in picks}
        )
    }
    changed, new = [], []
    for pick, (response, count) in picks.items():
        row = existing.get(pick)
        if row is None:
            new.append(_pick_row(quiz_id, student_id, pick, response, count))
        else:
            row.count += count
            changed.append(row)
    OptionPickCount.objects.bulk_update(changed, ["count"])
    OptionPickCount.objects.bulk_create(new)


def _pick_row(
    quiz_id: int, student_id: int, pick: tuple[int, str], response: object, count: int
) -> OptionPickCount:
    item, key = pick
    return OptionPickCount(
        quiz_id=quiz_id, student_id=student_id, item_id=item, response_key=key, response=response, count=count
    )


def _count_attempt(totals: QuizStudentTotals, attempt_id: int, raw_score: float | None) -> None:
    """Add one finished attempt to the checksum and score total of its student's totals row."""
    totals.attempts += 1
    totals.attempt_id_sum += attempt_id
    totals.raw_score_sum += raw_score or 0.0


def record_finished_attempt(attempt: Attempt) -> None:
    """Add a just-finished attempt to its student's running sums.

    Call it once per attempt, inside the transaction that marks the attempt finished (after its item
    scores are final), so the sums and the attempt commit or roll back together.
    """
    items = _scored_items(AttemptItem.objects.filter(attempt_id=attempt.pk)).get(attempt.pk, [])
    with transaction.atomic():
        totals = _locked_totals(attempt.quiz_id, [attempt.student_id])[attempt.student_id]
        _add_item_sums(attempt.quiz_id, attempt.student_id, attempt_item_sums(items))
        _add_picks(attempt.quiz_id, attempt.student_id, choice_picks(items))
        _count_attempt(totals, attempt.pk, attempt.raw_score)
        totals.save(update_fields=["attempts", "attempt_id_sum", "raw_score_sum"])


def rebuild_student_sums(quiz_id: int, student_ids: Iterable[int]) -> int:
    """Recompute the students' sums for the quiz from their finished attempts; returns how many attempts."""
    student_ids = sorted(set(student_ids))
    if not student_ids:
        return 0
    with transaction.atomic():
        totals = _locked_totals(quiz_id, student_ids)  # lock before reading the attempts (module docstring)
        ItemScoreSums.objects.filter(quiz_id=quiz_id, student_id__in=student_ids).delete()
        OptionPickCount.objects.filter(quiz_id=quiz_id, student_id__in=student_ids).delete()
        attempts = list(
            Attempt.objects.filter(
                quiz_id=quiz_id, student_id__in=student_ids, status=AttemptStatus.FINISHED
            ).values_list("pk", "student_id", "raw_score")
        )
        items = _scored_items(AttemptItem.objects.filter(attempt_id__in=[pk for pk, _, _ in attempts]))
        for row in totals.values():
            row.attempts, row.attempt_id_sum, row.raw_score_sum = 0, 0, 0.0
        item_sums: dict[tuple[int, int], ItemSums] = {}
        picks: dict[int, dict[tuple[int, str], tuple[object, int]]] = {}
        for attempt_id, student_id, raw_score in attempts:
            _count_attempt(totals[student_id], attempt_id, raw_score)
            scored = items.get(attempt_id, [])
            for item_id, sums in attempt_item_sums(scored).items():
                key = (student_id, item_id)
                item_sums[key] = item_sums[key] + sums if key in item_sums else sums
            student_picks = picks.setdefault(student_id, {})
            for pick, (response, count) in choice_picks(scored).items():
                student_picks[pick] = (response, student_picks.get(pick, (None, 0))[1] + count)
        ItemScoreSums.objects.bulk_create(
            [
                ItemScoreSums(
                    quiz_id=quiz_id,
                    student_id=student_id,
                    item_id=item_id,
                    **{name: getattr(sums, name) for name in SUM_FIELDS if name != "max_score"},
                    max_score=FULL_MARKS,
                )
                for (student_id, item_id), sums in item_sums.items()
            ],
            batch_size=2000,
        )
        OptionPickCount.objects.bulk_create(
            [
                _pick_row(quiz_id, student_id, pick, response, count)
                for student_id, student_picks in picks.items()
                for pick, (response, count) in student_picks.items()
            ],
            batch_size=2000,
        )
        QuizStudentTotals.objects.bulk_update(
            totals.values(), ["attempts", "attempt_id_sum", "raw_score_sum"], batch_size=2000
        )
    return len(attempts)


def stale_students(quiz_id: int, student_ids: QuerySet) -> list[int]:
    """Students (of `student_ids`, a values("student_id") query) whose stored checksum is out of date."""
    actual = {
        student_id: (count, id_sum)
        for student_id, count, id_sum in Attempt.objects.filter(
            quiz_id=quiz_id, status=AttemptStatus.FINISHED, student_id__in=student_ids
        )
        .order_by()
        .values("student_id")
        .annotate(count=Count("id"), id_sum=Sum("id"))
        .values_list("student_id", "count", "id_sum")
    }
    counted = {
        student_id: (count, id_sum)
        for student_id, count, id_sum in QuizStudentTotals.objects.filter(
            quiz_id=quiz_id, student_id__in=student_ids
        ).values_list("student_id", "attempts", "attempt_id_sum")
    }
    return sorted(
        student_id
        for student_id in actual.keys() | counted.keys()
        if actual.get(student_id, (0, 0)) != counted.get(student_id, (0, 0))
    )


def course_students(course_id: int) -> QuerySet:
    return Enrollment.objects.filter(course_id=course_id).values("student_id")


def rebuild_after_regrade(sender=None, *, quiz_students=(), **kwargs) -> None:
    """Listener for `quizzes.events.attempts_regraded`: scores changed, rebuild their sums."""
    by_quiz: dict[int, set[int]] = {}
    for quiz_id, student_id in quiz_students:
        by_quiz.setdefault(quiz_id, set()).add(student_id)
    for quiz_id, student_ids in by_quiz.items():
        rebuild_student_sums(quiz_id, student_ids)
