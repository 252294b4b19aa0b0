"""What progress does when a quiz attempt is finished or a submission is graded.

    from progress.events import quiz_finished, submission_graded
    quiz_finished(attempt)           # anything with the attempt's `pk`
    submission_graded(submission)    # anything with the submission's `pk`

`progress/receivers.py` calls these when quizzes announces `attempt_finished` and grading
announces `submission_graded` (both after commit); `rebuild_progress` replays them over history.

Each call is idempotent (the `Activity` row is the receipt: a second call for the same attempt or
submission returns [] and changes nothing) and atomic (all of the student's rows change together or
not at all). It returns the achievements newly earned, already saved as `Award` rows.

What counts:
- quiz: each *answered* item is evidence for the concepts its topics map to, with its score.
  Unanswered items (scored 0 at finish) say nothing about understanding and are left out.
  Answer days are practice days for the streak.
- submission: a gradable verdict is evidence for the exercise's concepts (1.0 when it passes,
  else its capped score); its grading day is a practice day. Ungradable code (verdict "error",
  e.g. a syntax error) is treated like a typo in a quiz: recorded as activity, nothing more.
  A grader failure (status "error") is not the student's doing and is ignored entirely.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from grading import api as grading_api
from progress.achievements import (
    EXERCISE,
    QUIZ,
    Achievement,
    EventContext,
    due_achievements,
)
from progress.concepts import concepts_for_topics
from progress.mastery import Evidence, mastery_level, recent_window, window_from_json, window_to_json
from progress.models import Activity, ActivityKind, Award, ConceptMastery, Solved, SolvedKind, StudentProgress
from progress.streaks import StreakState, record_practice
from progress.xp import EXERCISE_XP, ITEM_XP
from quizzes.models import Attempt, AttemptItem, AttemptStatus, Item
from quizzes.scores import is_full_marks


@dataclass
class _Outcome:
    """What one event contributes, gathered before anything is written."""

    kind: str
    source_id: int
    title: str
    score: float
    at: datetime
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    solved: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, key, item_kind)
    practice_days: set[date] = field(default_factory=set)


def quiz_finished(attempt, *, now: datetime | None = None) -> list[Achievement]:
    """Record a finished quiz attempt; returns the achievements it earned."""
    attempt = Attempt.objects.select_related("quiz", "student").get(pk=attempt.pk)
    if attempt.status != AttemptStatus.FINISHED:
        return []
    # An answer waiting for a person's grade (an essay) has no score yet: it is no evidence.
    answered = list(
        AttemptItem.objects.filter(
            attempt=attempt, answered_at__isnull=False, score__isnull=False
        ).values_list("item_id", "item__kind", "score", "answered_at")
    )
    topics = _topics_of({item_id for item_id, *_ in answered})
    outcome = _Outcome(
        kind=ActivityKind.QUIZ,
        source_id=attempt.pk,
        title=attempt.quiz.title,
        score=_clamp(attempt.score),
        at=attempt.finished_at or now or timezone.now(),
    )
    for item_id, kind, raw_score, when in answered:
        score = _clamp(raw_score)
        answered_at = cast(datetime, when)  # only answered items were read
        piece = Evidence(f"item:{item_id}", score, answered_at)
        for concept in concepts_for_topics(topics.get(item_id, ())):
            outcome.evidence[concept].append(piece)
        if is_full_marks(score):
            outcome.solved.append((SolvedKind.ITEM, str(item_id), kind))
        outcome.practice_days.add(timezone.localdate(answered_at))
    return _apply(attempt.student, outcome, QUIZ, attempt=attempt, answered_count=len(answered))


def _topics_of(item_ids: set[int]) -> dict[int, list[str]]:
    """Item id -> its topic slugs, read in one query (none when there are no items)."""
    topics: dict[int, list[str]] = defaultdict(list)
    if item_ids:
        pairs = Item.topics.through.objects.filter(item_id__in=item_ids).values_list("item_id", "topic__slug")
        for item_id, slug in pairs:
            topics[item_id].append(slug)
    return topics


def submission_graded(submission, *, now: datetime | None = None) -> list[Achievement]:
    """Record a graded code submission; returns the achievements it earned."""
    submission = grading_api.graded_submission(submission.pk)
    if not submission.is_graded:
        return []  # queued, running, or the grader itself failed
    student = get_user_model().objects.get(pk=submission.student_id)
    exercise = grading_api.exercise_info(submission.exercise_slug)
    gradable = submission.gradable
    score = 1.0 if submission.passed else _clamp(submission.score)
    at = submission.graded_at or now or timezone.now()
    outcome = _Outcome(
        kind=ActivityKind.EXERCISE,
        source_id=submission.pk,
        title=exercise.title if exercise else submission.exercise_slug,
        score=score if gradable else 0.0,
        at=at,
    )
    if gradable:
        piece = Evidence(f"exercise:{submission.exercise_slug}", score, at)
        for concept in concepts_for_topics(exercise.topics if exercise else ()):
            outcome.evidence[concept].append(piece)
        if submission.passed:
            outcome.solved.append((SolvedKind.EXERCISE, submission.exercise_slug, ""))
        outcome.practice_days.add(timezone.localdate(at))
    return _apply(student, outcome, EXERCISE, submission=submission)


def _apply(student, outcome: _Outcome, event: str, **about_event: Any) -> list[Achievement]:
    """Write what `outcome` contributes, then award what the `event` (QUIZ or EXERCISE) earned;
    `about_event` are the EventContext fields that describe it (the attempt or the submission)."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # savepoint: a duplicate event must not poison the outer block
                activity = Activity.objects.create(
                    student=student,
                    kind=outcome.kind,
                    source_id=outcome.source_id,
                    title=outcome.title[:200],
                    score=outcome.score,
                    at=outcome.at,
                )
        except IntegrityError:
            return []  # already processed
        # Locking the student's totals serialises concurrent events of the same student. The row is
        # made first when missing (an insert that a row already there, or one made a moment ago by
        # another event of the student, turns into nothing: no savepoint, no second read).
        StudentProgress.objects.bulk_create([StudentProgress(student=student)], ignore_conflicts=True)
        progress = StudentProgress.objects.select_for_update().get(student=student)

        gained_xp = _record_solved(student, outcome)
        progress.xp += gained_xp
        _advance_streak(progress, outcome.practice_days)
        progress.save()
        masteries = _update_masteries(student, outcome)

        activity.xp = gained_xp
        activity.mastery_points = sum(masteries.values())
        activity.save(update_fields=["xp", "mastery_points"])

        today = timezone.localdate(outcome.at)
        context = EventContext(student, event, progress, masteries, today, **about_event)
        return _award(student, context, outcome.at)


def _record_solved(student, outcome: _Outcome) -> int:
    if not outcome.solved:
        return 0
    keys_by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, key, _ in outcome.solved:
        keys_by_kind[kind].add(key)
    known = {
        (kind, key)
        for kind, keys in keys_by_kind.items()
        for key in Solved.objects.filter(student=student, kind=kind, key__in=keys).values_list(
            "key", flat=True
        )
    }
    fresh: dict[tuple[str, str], Solved] = {}
    for kind, key, item_kind in outcome.solved:
        if (kind, key) not in known and (kind, key) not in fresh:
            fresh[(kind, key)] = Solved(
                student=student, kind=kind, key=key, item_kind=item_kind, at=outcome.at
            )
    Solved.objects.bulk_create(fresh.values())
    return sum(ITEM_XP if kind == SolvedKind.ITEM else EXERCISE_XP for kind, _ in fresh)


def _advance_streak(progress: StudentProgress, days: set[date]) -> None:
    state = StreakState(progress.streak_weeks, progress.longest_streak, progress.last_practice_week)
    for day in sorted(days):
        state = record_practice(state, day)
    progress.streak_weeks, progress.longest_streak, progress.last_practice_week = (
        state.weeks,
        state.longest,
        state.last_week,
    )


def _update_masteries(student, outcome: _Outcome) -> dict[str, int]:
    """Apply the new evidence; returns every concept's level for the student after the event."""
    rows = {row.concept: row for row in ConceptMastery.objects.filter(student=student)}
    changed, created = [], []
    for concept, pieces in outcome.evidence.items():
        row = rows.get(concept)
        if row is None:
            row = ConceptMastery(student=student, concept=concept, window=[], evidence_count=0)
            rows[concept] = row
            created.append(row)
        else:
            changed.append(row)
        window = recent_window(window_from_json(row.window) + pieces)
        row.window = window_to_json(window)
        row.level = int(mastery_level(window))
        row.evidence_count += len(pieces)
        row.updated_at = outcome.at
    ConceptMastery.objects.bulk_create(created)
    if changed:
        ConceptMastery.objects.bulk_update(changed, ["window", "level", "evidence_count", "updated_at"])
    return {concept: row.level for concept, row in rows.items()}


def _award(student, context: EventContext, at: datetime) -> list[Achievement]:
    earned = set(Award.objects.filter(student=student).values_list("slug", flat=True))
    due = due_achievements(context, earned)
    Award.objects.bulk_create([Award(student=student, slug=a.slug, earned_at=at) for a in due])
    return due


def _clamp(score: float | None) -> float:
    return min(1.0, max(0.0, float(score or 0.0)))


def reset_progress(student) -> None:
    """Forget what was derived for `student`, before replaying their history.

    Awards stay (an achievement, once earned, is never taken away, and the student has already been
    told), and so does the leaderboard setting.
    """
    with transaction.atomic():
        for model in (Activity, ConceptMastery, Solved):
            model.objects.filter(student=student).delete()
        StudentProgress.objects.filter(student=student).update(
            xp=0, streak_weeks=0, longest_streak=0, last_practice_week=None
        )
