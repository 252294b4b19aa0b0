"""Quiz attempts: start, answer, finish, grade. Every rule of the quiz lives here, not in views.

Each public function takes keyword arguments and an optional `now` (tests pass a fixed clock).
Writes happen inside transactions with the attempt row locked, so a double-clicked button or two
tabs cannot answer an item twice or start two attempts with the same number.

An attempt whose deadline has passed is finished automatically the next time anything touches
it (`attempt_close_if_expired`), so there is no background job to forget.

Nothing a student types is lost. What they type is kept as the item's *draft* (`attempt_save_draft`,
sent by the page as they type), which is never checked or shown a verdict on its own. Finish checks
every draft still pending and records it as the item's answer (a draft the engine cannot read stays
unanswered, and the review says so). With immediate feedback an item's own Submit is final; with
feedback at the end nothing is revealed before Finish, so answers may change until then.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes import events
from quizzes.engine import check_answer, draw_variant, variant_seed
from quizzes.engine.result import INVALID, PENDING, CheckResult, Variant
from quizzes.models import Attempt, AttemptItem, AttemptStatus, FeedbackMode, GradingPolicy, Quiz
from quizzes.selection import draw_items, selection_seed
from quizzes.services.versions import attempt_raw_score, item_versions_current


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


# A draft is what a form posts (a choice id, a text of at most MAX_TEXT_LENGTH, table cells...);
# anything larger as JSON is not a draft a student typed.
MAX_DRAFT_CHARS = 20_000


def answers_change_until_finish(quiz: Quiz) -> bool:
    """With feedback at the end nothing is revealed before Finish, so an answer may change until then."""
    return quiz.feedback_mode == FeedbackMode.END


def is_blank(response: Any) -> bool:
    """True for a response with nothing in it: no text, no pick, only empty table cells."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, (list, tuple)):
        return len(response) == 0
    if isinstance(response, dict):
        return all(is_blank(value) for value in response.values())
    return False


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
    return attempts_left_after(quiz, Attempt.objects.filter(quiz=quiz, student=student).count())


def attempts_left_after(quiz: Quiz, used: int) -> int | None:
    """`attempts_left` once the student has made `used` attempts."""
    return None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)


def attempt_start(*, quiz: Quiz, student, now: datetime | None = None) -> Attempt:
    """Open the student's next attempt, or return the one still in progress.

    Raises QuizUnavailable for an unpublished or empty quiz and AttemptLimitReached when
    `max_attempts` are used up. Nothing is written when it raises.
    """
    now = now or timezone.now()
    if not quiz.published:
        raise QuizUnavailable("This quiz is not open.")
    earlier = _attempts_so_far(quiz, student)
    for attempt in earlier:
        if attempt.status == AttemptStatus.IN_PROGRESS and not attempt_close_if_expired(
            attempt=attempt, now=now
        ):
            return attempt  # resume instead of opening a second attempt in parallel

    try:
        with transaction.atomic():
            return _open_new_attempt(quiz=quiz, student=student, earlier=earlier, now=now)
    except IntegrityError as error:
        # Another request opened the same attempt number a moment ago (the number is unique per
        # student and quiz, so two tabs starting at once cannot both get in, nor pass max_attempts).
        # Anything else the database refused is a fault, not a race, and is raised as it is.
        if not Attempt.objects.filter(quiz=quiz, student=student, number=_next_number(earlier)).exists():
            raise
        raise AttemptError("An attempt was just started in another tab; reload the page.") from error


def _attempts_so_far(quiz: Quiz, student) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, student=student).order_by("number"))


def _next_number(earlier: list[Attempt]) -> int:
    return (earlier[-1].number if earlier else 0) + 1


def _open_new_attempt(*, quiz: Quiz, student, earlier: list[Attempt], now: datetime) -> Attempt:
    if quiz.max_attempts is not None and len(earlier) >= quiz.max_attempts:
        plural = "attempt" if quiz.max_attempts == 1 else "attempts"
        raise AttemptLimitReached(f"You have used all {quiz.max_attempts} {plural} at this quiz.")
    number = _next_number(earlier)

    seen = set(AttemptItem.objects.filter(attempt__in=earlier).values_list("item_id", flat=True))
    rng = random.Random(selection_seed(student.pk, quiz.slug, number))
    # Each rule comes with its quiz and the owner whose banks it may draw from, read in the same query.
    items = draw_items(quiz.rules.select_related("quiz__owner"), seen_item_ids=seen, rng=rng)
    if not items:
        raise QuizUnavailable("This quiz has no questions yet.")

    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    attempt = Attempt.objects.create(
        quiz=quiz, student=student, number=number, started_at=now, deadline=deadline
    )

    rows = []
    # The attempt keeps the version it drew: later edits reach it only through a regrade.
    versions = item_versions_current(items)
    for position, item in enumerate(items, start=1):
        seed = variant_seed(student.pk, item_uid(item), number)
        version = versions[item.pk]
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
        _record_answer(locked_attempt, locked_item, response, result, now)

    attempt_item.response, attempt_item.result = locked_item.response, locked_item.result
    attempt_item.score, attempt_item.answered_at = locked_item.score, locked_item.answered_at
    attempt_item.draft, attempt_item.draft_saved_at = None, None
    return result


def _record_answer(
    attempt: Attempt, attempt_item: AttemptItem, response: Any, result: CheckResult, now: datetime
) -> None:
    """Store a checked answer on a locked row; the draft it replaces is cleared."""
    attempt_item.response = response
    attempt_item.result = result.to_dict()
    # A pending answer (an essay) has no score until a person grades it: not 0, nothing yet.
    attempt_item.score = None if result.status == PENDING else result.score
    attempt_item.answered_at = now
    attempt_item.draft = None
    attempt_item.draft_saved_at = None
    attempt_item.save(update_fields=["response", "result", "score", "answered_at", "draft", "draft_saved_at"])
    events.send_on_commit(
        events.answer_checked,
        attempt_item_id=attempt_item.pk,
        attempt_id=attempt.pk,
        student_id=attempt.student_id,
        score=result.score,
    )


def _ensure_answerable(attempt: Attempt, attempt_item: AttemptItem) -> None:
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed("This attempt is finished; answers can no longer change.")
    if attempt_item.answered_at is not None and not answers_change_until_finish(attempt.quiz):
        raise AlreadyAnswered("This question is already answered; each answer is final.")


def attempt_save_draft(
    *, attempt_item: AttemptItem, student, response: Any, now: datetime | None = None
) -> datetime:
    """Keep what the student has typed so far, unchecked; returns when it was saved.

    A draft is never scored on its own: Finish checks it (`attempt_finish`), and with immediate
    feedback only the item's own Submit reveals a verdict. Refused like an answer once the attempt is
    closed or the item's answer is final; a draft larger than MAX_DRAFT_CHARS is refused.
    """
    now = now or timezone.now()
    attempt = attempt_item.attempt
    if attempt.student_id != student.pk:
        raise AttemptError("This is not your attempt.")
    if len(json.dumps(response, ensure_ascii=False)) > MAX_DRAFT_CHARS:
        raise AttemptError("This answer is too long to save.")
    if attempt_close_if_expired(attempt=attempt, now=now):
        raise AttemptClosed("Time is up: the attempt was finished at its deadline, so this was not saved.")
    with transaction.atomic():
        locked_attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        locked_item = AttemptItem.objects.select_for_update().get(pk=attempt_item.pk)
        _ensure_answerable(locked_attempt, locked_item)
        locked_item.draft = response
        locked_item.draft_saved_at = now
        locked_item.save(update_fields=["draft", "draft_saved_at"])
    attempt_item.draft, attempt_item.draft_saved_at = response, now
    return now


def pending_draft(attempt_item: AttemptItem, quiz: Quiz) -> Any | None:
    """The draft Finish would check for this item, or None when it has none that counts."""
    if is_blank(attempt_item.draft):
        return None
    if attempt_item.answered_at is None:
        return attempt_item.draft
    if answers_change_until_finish(quiz) and attempt_item.draft != attempt_item.response:
        return attempt_item.draft
    return None


def unanswered_positions(attempt: Attempt) -> list[int]:
    """Positions of items with neither an answer nor anything typed (they will score 0 at Finish)."""
    return unanswered_among(
        attempt.attempt_items.only("position", "answered_at", "draft").order_by("position")
    )


def unanswered_among(attempt_items: Iterable[AttemptItem]) -> list[int]:
    """`unanswered_positions` of attempt items already read (in position order)."""
    return [
        attempt_item.position
        for attempt_item in attempt_items
        if attempt_item.answered_at is None and is_blank(attempt_item.draft)
    ]


def _check_drafts(attempt: Attempt) -> dict[int, tuple[Any, int | None, CheckResult]]:
    """Check every pending draft before any lock is taken (the engine may take a moment).

    The items and versions (their whole specs) are read only for the attempt items with a draft
    to check: an attempt whose answers were all submitted reads just the drafts' fields.
    """
    checked: dict[int, tuple[Any, int | None, CheckResult]] = {}
    drafts = attempt.attempt_items.only("pk", "answered_at", "response", "draft")
    with_drafts = [row.pk for row in drafts if pending_draft(row, attempt.quiz) is not None]
    if not with_drafts:
        return checked
    for attempt_item in attempt.attempt_items.filter(pk__in=with_drafts).select_related(
        "version", "item__bank"
    ):
        draft = pending_draft(attempt_item, attempt.quiz)
        if draft is None:
            continue
        result = check_answer(attempt_item.item_data(), Variant.from_dict(attempt_item.variant), draft)
        checked[attempt_item.pk] = (draft, attempt_item.version_id, result)
    return checked


def attempt_finish(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Close the attempt: drafts become answers, unanswered items score 0, then the mean and penalty apply.

    Every draft still pending (typed but never submitted, or, with feedback at the end, a changed
    answer) is checked and recorded as the item's answer; a draft the engine cannot read stays
    unanswered. Finishing twice is harmless: the second call returns the attempt unchanged.
    """
    now = now or timezone.now()
    checked = _check_drafts(attempt) if attempt.status == AttemptStatus.IN_PROGRESS else {}
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.status == AttemptStatus.FINISHED:
            _copy_outcome(locked, attempt)
            return attempt
        answered_at = min(now, locked.deadline) if locked.deadline else now
        for row in AttemptItem.objects.select_for_update().filter(pk__in=list(checked)):
            draft, version_id, result = checked[row.pk]
            # Only the draft that was checked, against the version that was checked, counts.
            if result.status != INVALID and row.draft == draft and row.version_id == version_id:
                _record_answer(locked, row, draft, result, answered_at)
        AttemptItem.objects.filter(attempt=locked, answered_at__isnull=True).update(score=0.0)
        # Every item has a score now (unanswered ones were just given 0), except answers waiting for
        # a person's grade: until then they count 0 and the attempt is marked as needing grading.
        # Each item weighs its `weight`.
        locked.raw_score = mean_item_score(locked)
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


def mean_item_score(attempt: Attempt) -> float:
    """The attempt's raw score: its counted items' scores, each weighing its `weight` (pending ones
    count 0 for now)."""
    return attempt_raw_score(AttemptItem.objects.filter(attempt=attempt))


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
    return grade_among(
        quiz, Attempt.objects.filter(quiz=quiz, student=student, status=AttemptStatus.FINISHED)
    )


def grade_among(quiz: Quiz, attempts: Iterable[Attempt]) -> float | None:
    """`quiz_grade_for` of a student's attempts already read (the unfinished ones are left out)."""
    finished = sorted(
        (attempt for attempt in attempts if attempt.status == AttemptStatus.FINISHED),
        key=lambda attempt: attempt.number,
    )
    if not finished:
        return None
    if quiz.grading_policy == GradingPolicy.LAST:
        return finished[-1].score
    return max(cast(float, attempt.score) for attempt in finished)  # a finished attempt has its score
