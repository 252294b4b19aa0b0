"""Answers a person grades (essays): the queue of those waiting, and the grade an instructor gives.

An essay's answer is recorded as *pending*: its `score` stays empty (not 0) and its result's status
is "pending". Until it is graded the attempt's score counts it as 0 and the attempt is shown as
needing grading. `grade_answer` gives the answer its score and the grader's comment, recomputes the
attempt's score exactly as Finish does (mean of the counted items, then the extra-attempt penalty)
and announces the change once it commits: `attempts_regraded` (item statistics are rebuilt) and
`attempt_graded` (the LMS gradebook gets the quiz grade again). A grade may be changed later the
same way.

Who may see and grade which answers is the caller's business: the quiz owner's queue
(`quizzes.views.grading`) and a course's (`courses.views`) each narrow `hand_graded_items()` with
their own permission-checked fetch, then call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from quizzes import events
from quizzes.engine.kinds import HAND_GRADED_KINDS
from quizzes.engine.result import PENDING, status_for_score
from quizzes.models import Attempt, AttemptItem, AttemptStatus
from quizzes.services.attempts import mean_item_score, penalty_factor

MAX_COMMENT_CHARS = 5_000


class GradingError(Exception):
    """A grade that cannot be given; the message says why."""


def hand_graded_items() -> QuerySet[AttemptItem]:
    """Every answer of a finished attempt to an item graded by hand (graded or not)."""
    return AttemptItem.objects.filter(
        item__kind__in=HAND_GRADED_KINDS,
        answered_at__isnull=False,
        attempt__status=AttemptStatus.FINISHED,
    )


def waiting(items: QuerySet[AttemptItem]) -> QuerySet[AttemptItem]:
    """Of `items`, the answers still waiting for a grade, oldest attempt first."""
    return items.filter(score__isnull=True).order_by("attempt__finished_at", "attempt_id", "position")


def graded(items: QuerySet[AttemptItem]) -> QuerySet[AttemptItem]:
    """Of `items`, the answers already graded, most recently finished attempt first."""
    return items.filter(score__isnull=False).order_by("-attempt__finished_at", "-attempt_id", "position")


def is_pending(attempt_item: AttemptItem) -> bool:
    return (
        attempt_item.answered_at is not None
        and attempt_item.score is None
        and bool(attempt_item.result and attempt_item.result.get("status") == PENDING)
    )


def pending_count(attempt: Attempt) -> int:
    """How many answers of this attempt wait for a person's grade."""
    return waiting(hand_graded_items().filter(attempt=attempt)).count()


def waiting_per_student_quiz(
    *, quiz_ids: Iterable[int], student_ids: Iterable[int] | QuerySet
) -> dict[tuple[int, int], int]:
    """(student id, quiz id) -> how many answers of the student's finished attempts at the quiz wait
    for a person's grade (pairs with none are left out); one grouped query."""
    rows = (
        waiting(
            hand_graded_items().filter(
                attempt__quiz_id__in=list(quiz_ids), attempt__student_id__in=student_ids
            )
        )
        .order_by()
        .values_list("attempt__student_id", "attempt__quiz_id")
        .annotate(n=Count("pk"))
    )
    return {(student_id, quiz_id): n for student_id, quiz_id, n in rows}


def waiting_per_item(*, quiz_id: int, student_ids: Iterable[int] | QuerySet) -> dict[int, int]:
    """Item id -> how many answers to it in these students' finished attempts at the quiz wait for a
    person's grade (items with none are left out); one grouped query."""
    rows = (
        waiting(hand_graded_items().filter(attempt__quiz_id=quiz_id, attempt__student_id__in=student_ids))
        .order_by()
        .values_list("item_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


@dataclass
class GradingRow:
    """One answer in a grading queue, with what the grader needs to see."""

    attempt_item: AttemptItem
    student: str
    quiz: str
    attempt_number: int
    finished_at: datetime | None
    title: str
    stem: str
    grader_info: str
    response: str
    words: int
    score_percent: float | None
    comment: str


def grading_rows(items: QuerySet[AttemptItem]) -> list[GradingRow]:
    rows = []
    for attempt_item in items.select_related("attempt__quiz", "attempt__student", "item", "version"):
        data = attempt_item.item_data()
        response = attempt_item.response if isinstance(attempt_item.response, str) else ""
        grading = _grading(attempt_item)
        student = attempt_item.attempt.student
        rows.append(
            GradingRow(
                attempt_item=attempt_item,
                student=student.get_full_name() or student.get_username(),
                quiz=attempt_item.attempt.quiz.title,
                attempt_number=attempt_item.attempt.number,
                finished_at=attempt_item.attempt.finished_at,
                title=str(data.get("title") or data.get("key") or ""),
                stem=str(data.get("stem", "")),
                grader_info=str(data.get("grader_info", "")),
                response=response,
                words=len(response.split()),
                score_percent=None if attempt_item.score is None else round(attempt_item.score * 100, 2),
                comment=str(grading.get("comment", "")),
            )
        )
    return rows


def _grading(attempt_item: AttemptItem) -> dict[str, Any]:
    details = (attempt_item.result or {}).get("details") or {}
    grading = details.get("grading")
    return grading if isinstance(grading, dict) else {}


def grade_answer(
    *, attempt_item: AttemptItem, score: float, comment: str, by, now: datetime | None = None
) -> AttemptItem:
    """Give a hand-graded answer its score (0 to 1) and comment; the attempt's score follows."""
    now = now or timezone.now()
    if not 0 <= score <= 1:
        raise GradingError("The score must be from 0 to 100 %.")
    if len(comment) > MAX_COMMENT_CHARS:
        raise GradingError(f"The comment is too long (at most {MAX_COMMENT_CHARS:,} characters).")
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt_item.attempt_id)
        locked = AttemptItem.objects.select_for_update().get(pk=attempt_item.pk)
        if attempt.status != AttemptStatus.FINISHED or locked.answered_at is None:
            raise GradingError("Only answers of finished attempts can be graded.")
        if locked.item.kind not in HAND_GRADED_KINDS:
            raise GradingError("This answer is scored automatically.")
        result = dict(locked.result or {})
        details = dict(result.get("details") or {})
        details["grading"] = {
            "comment": comment.strip(),
            "grader": by.get_full_name() or by.get_username(),
            "graded_at": now.isoformat(),
        }
        result.update(
            status=status_for_score(score).value,
            score=score,
            feedback=[],
            details=details,
        )
        locked.result, locked.score = result, score
        locked.save(update_fields=["result", "score"])
        attempt.raw_score = mean_item_score(attempt)
        attempt.score = attempt.raw_score * penalty_factor(attempt.quiz, attempt.number)
        attempt.save(update_fields=["raw_score", "score"])
        events.send_on_commit(events.attempts_regraded, quiz_students={(attempt.quiz_id, attempt.student_id)})
        events.send_on_commit(
            events.attempt_graded,
            attempt_id=attempt.pk,
            student_id=attempt.student_id,
            quiz_id=attempt.quiz_id,
        )
    attempt_item.result, attempt_item.score = locked.result, locked.score
    return attempt_item
