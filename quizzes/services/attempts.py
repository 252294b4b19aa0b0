"""Quiz attempts: start, answer, finish, grade. Every rule of the quiz lives here, not in views.

Each public function takes keyword arguments and an optional `now` (tests pass a fixed clock).
Writes happen inside transactions with the attempt row locked, so a double-clicked button or two
tabs cannot answer an item twice or start two attempts with the same number.

An attempt whose deadline has passed is finished automatically the next time anything touches
it (`attempt_close_if_expired`), so there is no background job to forget.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes import events
from quizzes.engine import check_answer, draw_variant, variant_seed
from quizzes.engine.result import INVALID, CheckResult, Variant
from quizzes.models import Attempt, AttemptItem, AttemptStatus, GradingPolicy, Quiz
from quizzes.selection import draw_items, selection_seed
from quizzes.services.versions import counted_items, item_version_current


class AttemptError(Exception):
    """A student action the quiz's rules do not allow; the message says why, in plain words."""


class AttemptLimitReached(AttemptError):
    pass


class QuizUnavailable(AttemptError):
    pass


class AttemptClosed(AttemptError):
    pass


class AlreadyAnswered(AttemptError):
    pass


def item_uid(item) -> str:
    """The item's identity for variant seeds: stable across re-imports of its bank."""
    return f"{item.bank.slug}/{item.key}"


def penalty_factor(quiz: Quiz, attempt_number: int) -> float:
    """1 for the first attempt, then `penalty_per_extra_attempt` less for each further one, never < 0."""
    return max(0.0, 1.0 - quiz.penalty_per_extra_attempt * (attempt_number - 1))


def is_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return attempt.deadline is not None and now >= attempt.deadline


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    """Whole seconds until the deadline (0 when past it); None without a time limit."""
    if attempt.deadline is None:
        return None
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def attempts_left(*, quiz: Quiz, student) -> int | None:
    """How many more attempts the student may start; None means unlimited."""
    if quiz.max_attempts is None:
        return None
    used = Attempt.objects.filter(quiz=quiz, student=student).count()
    return max(0, quiz.max_attempts - used)


def attempt_start(*, quiz: Quiz, student, now: datetime | None = None) -> Attempt:
    """Open the student's next attempt, or return the one still in progress.

    Raises QuizUnavailable for an unpublished or empty quiz and AttemptLimitReached when
    `max_attempts` are used up. Nothing is written when it raises.
    """
    now = now or timezone.now()
    if not quiz.published:
        raise QuizUnavailable("This quiz is not open.")
    for earlier in Attempt.objects.filter(quiz=quiz, student=student, status=AttemptStatus.IN_PROGRESS):
        if not attempt_close_if_expired(attempt=earlier, now=now):
            return earlier  # resume instead of opening a second attempt in parallel

    try:
        with transaction.atomic():
            return _open_new_attempt(quiz=quiz, student=student, now=now)
    except IntegrityError as error:
        # Another request opened the same attempt number a moment ago.
        raise AttemptError("An attempt was just started in another tab; reload the page.") from error


def _open_new_attempt(*, quiz: Quiz, student, now: datetime) -> Attempt:
    earlier = list(Attempt.objects.filter(quiz=quiz, student=student).order_by("number"))
    if quiz.max_attempts is not None and len(earlier) >= quiz.max_attempts:
        plural = "attempt" if quiz.max_attempts == 1 else "attempts"
        raise AttemptLimitReached(f"You have used all {quiz.max_attempts} {plural} at this quiz.")
    number = (earlier[-1].number if earlier else 0) + 1

    seen = set(AttemptItem.objects.filter(attempt__in=earlier).values_list("item_id", flat=True))
    rng = random.Random(selection_seed(student.pk, quiz.slug, number))
    items = draw_items(quiz.rules.select_related("bank").all(), seen_item_ids=seen, rng=rng)
    if not items:
        raise QuizUnavailable("This quiz has no questions yet.")

    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    attempt = Attempt.objects.create(quiz=quiz, student=student, number=number, deadline=deadline)
    # started_at is auto_now_add; align it with the clock the deadline was computed from.
    Attempt.objects.filter(pk=attempt.pk).update(started_at=now)
    attempt.started_at = now

    rows = []
    for position, item in enumerate(items, start=1):
        seed = variant_seed(student.pk, item_uid(item), number)
        # The attempt keeps the version it drew: later edits reach it only through a regrade.
        version = item_version_current(item=item)
        variant = draw_variant(version.data, seed)
        rows.append(
            AttemptItem(
                attempt=attempt,
                item=item,
                version=version,
                position=position,
                seed=seed,
                variant=variant.to_dict(),
            )
        )
    AttemptItem.objects.bulk_create(rows)
    return attempt


def attempt_answer(
    *, attempt_item: AttemptItem, student, response: Any, now: datetime | None = None
) -> CheckResult:
    """Check a response with the engine and record it as the item's final answer.

    An "invalid" result (unparseable input) is returned but not recorded, so the student can fix
    the typo. Raises AttemptClosed after the deadline or once the attempt is finished, and
    AlreadyAnswered for a second answer to the same item.
    """
    now = now or timezone.now()
    attempt = attempt_item.attempt
    if attempt.student_id != student.pk:
        raise AttemptError("This is not your attempt.")
    if attempt_close_if_expired(attempt=attempt, now=now):
        raise AttemptClosed(
            "Time is up: the attempt was finished at its deadline, so this answer was not saved."
        )
    _ensure_answerable(attempt, attempt_item)

    # The engine may take a moment (symbolic equivalence): check before taking any lock.
    # Checked against the version the attempt drew, never the item as edited since.
    result = check_answer(attempt_item.item_data(), Variant.from_dict(attempt_item.variant), response)
    if result.status == INVALID:
        return result

    with transaction.atomic():
        locked_attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        locked_item = AttemptItem.objects.select_for_update().get(pk=attempt_item.pk)
        _ensure_answerable(locked_attempt, locked_item)
        if locked_item.version_id != attempt_item.version_id:
            # A regrade moved the item to another version while this answer was being checked.
            raise AttemptError("This question was just updated by your instructor; please answer it again.")
        if is_expired(locked_attempt, now):
            raise AttemptClosed("Time is up: this answer arrived after the deadline and was not saved.")
        locked_item.response = response
        locked_item.result = result.to_dict()
        locked_item.score = result.score
        locked_item.answered_at = now
        locked_item.save(update_fields=["response", "result", "score", "answered_at"])
        events.send_on_commit(
            events.answer_checked,
            attempt_item_id=locked_item.pk,
            attempt_id=locked_attempt.pk,
            student_id=locked_attempt.student_id,
            score=result.score,
        )

    attempt_item.response, attempt_item.result = locked_item.response, locked_item.result
    attempt_item.score, attempt_item.answered_at = locked_item.score, locked_item.answered_at
    return result


def _ensure_answerable(attempt: Attempt, attempt_item: AttemptItem) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed("This attempt is finished; answers can no longer change.")
    if attempt_item.answered_at is not None:
        raise AlreadyAnswered("This question is already answered; each answer is final.")


def attempt_finish(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Close the attempt: unanswered items score 0, then the mean and the attempt penalty apply.

    Descriptions (items of an unscored kind) are left out of the mean.

    Finishing twice is harmless: the second call returns the attempt unchanged.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.status == AttemptStatus.FINISHED:
            _copy_outcome(locked, attempt)
            return attempt
        AttemptItem.objects.filter(attempt=locked, answered_at__isnull=True).update(score=0.0)
        # Every item has a score now (unanswered ones were just given 0).
        scores = [
            cast(float, s)
            for s in counted_items(AttemptItem.objects.filter(attempt=locked)).values_list("score", flat=True)
        ]
        locked.raw_score = sum(scores) / len(scores) if scores else 0.0
        locked.score = locked.raw_score * penalty_factor(locked.quiz, locked.number)
        locked.status = AttemptStatus.FINISHED
        # An attempt closed because time ran out ends at its deadline, not when it was noticed.
        locked.finished_at = min(now, locked.deadline) if locked.deadline else now
        locked.save(update_fields=["raw_score", "score", "status", "finished_at"])
        # Listeners that must stay exact (item statistics' running sums) write in this transaction.
        events.send_now(events.attempt_scored, attempt=locked)
        # The rest hear after commit; a failing listener is logged and never undoes the finish.
        events.send_on_commit(
            events.attempt_finished,
            attempt_id=locked.pk,
            student_id=locked.student_id,
            quiz_id=locked.quiz_id,
        )
    _copy_outcome(locked, attempt)
    return attempt


def _copy_outcome(source: Attempt, target: Attempt) -> None:
    for name in ("raw_score", "score", "status", "finished_at"):
        setattr(target, name, getattr(source, name))


def attempt_close_if_expired(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Finish an in-progress attempt whose deadline has passed; True if it is (now) closed that way."""
    now = now or timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS or not is_expired(attempt, now):
        return False
    attempt_finish(attempt=attempt, now=now)
    return True


def quiz_grade_for(*, quiz: Quiz, student, now: datetime | None = None) -> float | None:
    """The grade that counts for the quiz (best or last finished attempt); None before any finish."""
    for attempt in Attempt.objects.filter(quiz=quiz, student=student, status=AttemptStatus.IN_PROGRESS):
        attempt_close_if_expired(attempt=attempt, now=now)
    finished = list(
        Attempt.objects.filter(quiz=quiz, student=student, status=AttemptStatus.FINISHED).order_by("number")
    )
    if not finished:
        return None
    if quiz.grading_policy == GradingPolicy.LAST:
        return finished[-1].score
    return max(cast(float, attempt.score) for attempt in finished)  # a finished attempt has its score
