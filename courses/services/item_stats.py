"""Item statistics of one quiz for one course (formulas in courses.stats).

Only finished attempts by the course's enrolled students count. An essay waiting for a person's
grade counts 0 (as in the attempt's score) until it is graded; the page says how many wait, overall
and per item, since every figure that includes them is provisional. Items are drawn at random from
banks, so an item is analysed over the attempts that contain it. Nothing here reads attempts: the
running sums kept per (quiz, student, item) by courses.services.item_aggregates are summed over
the course's students with one indexed GROUP BY per table. Students whose sums are out of date
(checked by a cheap checksum) are rebuilt first, so the page is always exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Sum

from courses.models import Course, ItemScoreSums, OptionPickCount, QuizStudentTotals
from courses.running_sums import CHOICE_KINDS
from courses.services.item_aggregates import course_students, rebuild_student_sums, stale_students
from courses.services.option_texts import OptionText, choice_texts
from courses.stats import (
    ItemSums,
    cronbach_alpha,
    discrimination_flag,
    discrimination_index,
    facility_index,
    item_variance,
    tally_choices,
)
from quizzes.engine.common import stable_id
from quizzes.engine.kinds import ItemKind
from quizzes.models import Item, Quiz
from quizzes.services.manual_grading import waiting_per_item


@dataclass(frozen=True)
class OptionCount:
    id: str
    text: str
    correct: bool
    count: int
    share: float  # of the attempts that contain the item
    template: str = ""  # the choice with ⟨placeholders⟩ when its text varies between variants


@dataclass(frozen=True)
class ItemStatistics:
    item: Item
    sums: ItemSums
    facility: float | None
    discrimination: float | None
    flag: str
    standard_deviation: float
    options: list[OptionCount] = field(default_factory=list)
    awaiting: int = 0  # answers to this item (essays) still waiting for a grade: counted 0 for now


@dataclass(frozen=True)
class QuizStatistics:
    quiz: Quiz
    attempts: int
    alpha: float | None
    mean_score: float | None  # mean attempt raw score (0..1), before any extra-attempt penalty
    items: list[ItemStatistics]
    awaiting: int = 0  # answers in these attempts waiting for a grade, counted 0 in every figure


def course_item_sums(course: Course, quiz: Quiz) -> dict[int, ItemSums]:
    """Item id -> the sums over the finished attempts of the course's students that contain it."""
    rows = (
        ItemScoreSums.objects.filter(quiz=quiz, student_id__in=course_students(course.pk))
        .order_by()
        .values("item_id")
        .annotate(
            total_n=Sum("n"),
            total_x=Sum("sum_x"),
            total_x2=Sum("sum_x2"),
            total_r=Sum("sum_r"),
            total_r2=Sum("sum_r2"),
            total_xr=Sum("sum_xr"),
            full_marks=Max("max_score"),
        )
    )
    return {
        row["item_id"]: ItemSums(
            n=row["total_n"],
            sum_x=row["total_x"],
            sum_x2=row["total_x2"],
            sum_r=row["total_r"],
            sum_r2=row["total_r2"],
            sum_xr=row["total_xr"],
            max_score=row["full_marks"],
        )
        for row in rows
        if row["total_n"]
    }


def _choice_options(item: Item) -> list[tuple[str, OptionText, bool]]:
    if item.kind == ItemKind.TRUEFALSE:
        key = bool(item.spec.get("answer"))
        return [("true", OptionText("True", ""), key), ("false", OptionText("False", ""), not key)]
    texts = choice_texts(item.to_dict())
    options = []
    for choice in item.spec.get("choices") or []:
        if isinstance(choice, dict):
            choice_id = stable_id("c", choice)
            options.append((choice_id, texts[choice_id], bool(choice.get("correct"))))
    return options


def _option_counts(course: Course, quiz: Quiz, items: dict[int, Item], sums: dict[int, ItemSums]):
    """Item id -> per-option counts, from the distinct stored responses and how often each occurs."""
    choice_item_ids = [item_id for item_id, item in items.items() if item.kind in CHOICE_KINDS]
    if not choice_item_ids:
        return {}
    grouped = (
        OptionPickCount.objects.filter(
            quiz=quiz, student_id__in=course_students(course.pk), item_id__in=choice_item_ids
        )
        .order_by()
        .values("item_id", "response_key", "response")
        .annotate(how_many=Sum("count"))
    )
    responses: dict[int, list[tuple[object, int]]] = {}
    for row in grouped:
        responses.setdefault(row["item_id"], []).append((row["response"], row["how_many"]))
    result = {}
    for item_id in choice_item_ids:
        options = _choice_options(items[item_id])
        counts = tally_choices(
            items[item_id].kind, [oid for oid, _, _ in options], responses.get(item_id, [])
        )
        n = sums[item_id].n
        listed = [
            OptionCount(oid, text.text, correct, counts[oid], counts[oid] / n, text.template)
            for oid, text, correct in options
        ]
        if counts.get("other"):
            listed.append(
                OptionCount(
                    "other", "(an option no longer in the item)", False, counts["other"], counts["other"] / n
                )
            )
        result[item_id] = listed
    return result


def quiz_item_statistics(*, course: Course, quiz: Quiz) -> QuizStatistics:
    """The statistics of the quiz's items over the finished attempts of the course's students."""
    rebuild_student_sums(quiz.pk, stale_students(quiz.pk, course_students(course.pk)))
    sums = course_item_sums(course, quiz)
    items = Item.objects.filter(pk__in=sums).select_related("bank").prefetch_related("topics").in_bulk()
    options = _option_counts(course, quiz, items, sums)
    totals = QuizStudentTotals.objects.filter(quiz=quiz, student_id__in=course_students(course.pk)).aggregate(
        attempts=Sum("attempts"), raw_scores=Sum("raw_score_sum")
    )
    attempt_count = totals["attempts"] or 0
    awaiting = waiting_per_item(quiz_id=quiz.pk, student_ids=course_students(course.pk))
    statistics = []
    for item_id, item_sums in sums.items():
        discrimination = discrimination_index(item_sums)
        statistics.append(
            ItemStatistics(
                item=items[item_id],
                sums=item_sums,
                facility=facility_index(item_sums),
                discrimination=discrimination,
                flag=discrimination_flag(discrimination),
                standard_deviation=item_variance(item_sums) ** 0.5,
                options=options.get(item_id, []),
                awaiting=awaiting.get(item_id, 0),
            )
        )
    statistics.sort(key=lambda stat: (stat.item.bank.slug, stat.item.position, stat.item.pk))
    return QuizStatistics(
        quiz=quiz,
        attempts=attempt_count,
        alpha=cronbach_alpha(sums.values(), attempt_count),
        mean_score=totals["raw_scores"] / attempt_count if attempt_count else None,
        items=statistics,
        awaiting=sum(awaiting.values()),
    )
