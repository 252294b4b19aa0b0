"""Achievements, defined as data: what each one is called, its icon, and the named criterion.

A criterion is a function of an `EventContext` (the student, the event that just happened and the
student's progress after it) returning True when the achievement is earned. Every query a criterion
makes is filtered on `ctx.student`, so nothing another student does can earn it for someone else.
Criteria only run for the events they listen to and only until the achievement is earned, which
keeps evaluation after an event to a handful of small indexed queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from grading import api as grading_api
from grading.api import diagnosis_names, problem_record
from progress.concepts import CONCEPTS
from progress.mastery import Level
from progress.models import Solved, SolvedKind
from quizzes.engine.kinds import ItemKind
from quizzes.scores import is_full_marks

QUIZ = "quiz"
EXERCISE = "exercise"
MOMENTUM_EXERCISES = ("momentum", "momentum-ema", "nesterov")
ILL_CONDITIONED_CASE = "d2l-quadratic"
MISSING_BIAS_CORRECTION = "missing-bias-correction"


@dataclass
class EventContext:
    """What a criterion may look at. `masteries` maps concept slug -> level after the event."""

    student: Any
    kind: str  # QUIZ or EXERCISE
    progress: Any  # progress.models.StudentProgress, already updated
    masteries: dict[str, int]
    today: date
    attempt: Any = None  # quizzes.models.Attempt, for QUIZ
    answered_count: int = 0
    submission: Any = None  # grading.api.GradedSubmission, for EXERCISE

    @cached_property
    def passed_exercises(self) -> set[str]:
        return set(
            Solved.objects.filter(student=self.student, kind=SolvedKind.EXERCISE).values_list(
                "key", flat=True
            )
        )


# ---------------------------------------------------------------------------------------- criteria


def finished_first_quiz(ctx: EventContext) -> bool:
    return ctx.answered_count > 0


def perfect_quiz(ctx: EventContext) -> bool:
    return ctx.answered_count > 0 and is_full_marks(ctx.attempt.raw_score)


def ten_calculations_right(ctx: EventContext) -> bool:
    solved = Solved.objects.filter(student=ctx.student, kind=SolvedKind.ITEM, item_kind=ItemKind.CALCULATION)
    return solved.count() >= 10


def first_exercise_passed(ctx: EventContext) -> bool:
    return ctx.submission.passed


def every_exercise_passed(ctx: EventContext) -> bool:
    return ctx.submission.passed and set(grading_api.exercise_slugs()) <= ctx.passed_exercises


def passed_after_missing_bias_correction(ctx: EventContext) -> bool:
    """A passing Adam submission with an earlier one of the student's diagnosed without bias correction."""
    submission = ctx.submission
    if submission.exercise_slug != "adam" or not submission.passed:
        return False
    return any(
        MISSING_BIAS_CORRECTION in diagnosis_names(verdict)
        for verdict in grading_api.earlier_failed_verdicts(submission)
    )


def momentum_faster_than_sgd(ctx: EventContext) -> bool:
    """The student's momentum, run faithfully on the ill-conditioned quadratic, beats plain SGD there."""
    submission = ctx.submission
    if submission.exercise_slug not in MOMENTUM_EXERCISES:
        return False
    record = problem_record(submission.verdict, ILL_CONDITIONED_CASE)
    # Fidelity 1.0: the trajectory is real momentum on this case, not a shortcut to the minimum.
    if record is None or record.get("fidelity") != 1.0 or record.get("steps_to_tol") is None:
        return False
    target = grading_api.convergence_target(record, ILL_CONDITIONED_CASE)
    if target is None:
        return False
    baseline = sgd_steps_to(target)
    return baseline is None or record["steps_to_tol"] < baseline


def passed_after_three_failures(ctx: EventContext) -> bool:
    submission = ctx.submission
    if not submission.passed:
        return False
    return len(grading_api.earlier_failed_verdicts(submission)) >= 3


def three_week_streak(ctx: EventContext) -> bool:
    return ctx.progress.streak_weeks >= 3


def eight_week_streak(ctx: EventContext) -> bool:
    return ctx.progress.streak_weeks >= 8


def first_concept_mastered(ctx: EventContext) -> bool:
    return any(level >= Level.MASTERED for level in ctx.masteries.values())


def familiar_with_everything(ctx: EventContext) -> bool:
    return all(ctx.masteries.get(concept.slug, 0) >= Level.FAMILIAR for concept in CONCEPTS)


def sgd_steps_to(target: float) -> int | None:
    """Steps plain SGD needs to get below `target` on the ill-conditioned case (see grading.api)."""
    return grading_api.sgd_steps_to(target, ILL_CONDITIONED_CASE)


# ---------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class Achievement:
    slug: str
    name: str
    description: str
    icon: str
    criterion: Callable[[EventContext], bool]
    events: frozenset[str]


def _achievement(slug, name, description, icon, criterion, *events) -> Achievement:
    return Achievement(slug, name, description, icon, criterion, frozenset(events))


ACHIEVEMENTS: tuple[Achievement, ...] = (
    _achievement("first-quiz", "First steps", "Finish your first quiz.", "👣", finished_first_quiz, QUIZ),
    _achievement(
        "perfect-quiz", "Flawless", "Answer every question of a quiz fully right.", "🎯", perfect_quiz, QUIZ
    ),
    _achievement(
        "ten-calculations",
        "Number cruncher",
        "Get 10 different calculation questions right.",
        "🧮",
        ten_calculations_right,
        QUIZ,
    ),
    _achievement(
        "first-pass", "It converges", "Pass your first code exercise.", "✅", first_exercise_passed, EXERCISE
    ),
    _achievement(
        "bias-corrected",
        "Bias corrected",
        "Pass the Adam exercise after a submission diagnosed as missing bias correction.",
        "⚖️",
        passed_after_missing_bias_correction,
        EXERCISE,
    ),
    _achievement(
        "faster-than-sgd",
        "Faster than SGD",
        "Write a momentum method that reaches the minimum of the ill-conditioned quadratic "
        "in fewer steps than plain SGD.",
        "🚀",
        momentum_faster_than_sgd,
        EXERCISE,
    ),
    _achievement(
        "every-optimizer",
        "Every optimizer",
        "Pass every code exercise.",
        "🏆",
        every_exercise_passed,
        EXERCISE,
    ),
    _achievement(
        "persistence",
        "Persistence",
        "Pass an exercise after three failed submissions of it.",
        "🧗",
        passed_after_three_failures,
        EXERCISE,
    ),
    _achievement(
        "streak-3",
        "Three weeks running",
        "Practise in three consecutive weeks.",
        "🔥",
        three_week_streak,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "streak-8",
        "Habit formed",
        "Practise in eight consecutive weeks.",
        "📅",
        eight_week_streak,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "first-mastery",
        "Mastered",
        "Reach the mastered level on any concept.",
        "🥇",
        first_concept_mastered,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "all-rounder",
        "All-rounder",
        "Be at least familiar with every concept.",
        "🧭",
        familiar_with_everything,
        QUIZ,
        EXERCISE,
    ),
)
ACHIEVEMENTS_BY_SLUG: dict[str, Achievement] = {a.slug: a for a in ACHIEVEMENTS}


def due_achievements(ctx: EventContext, already_earned: set[str]) -> list[Achievement]:
    """The achievements this event earns that the student does not have yet."""
    return [
        achievement
        for achievement in ACHIEVEMENTS
        if ctx.kind in achievement.events
        and achievement.slug not in already_earned
        and achievement.criterion(ctx)
    ]
