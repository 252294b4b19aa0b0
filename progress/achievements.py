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


# ------------------------------------------------------------------------------------------- icons

# Each achievement's icon: a 24×24 drawing (SVG elements, stroked in the current text colour) and
# the words a screen reader says for it. Drawn here rather than as emoji, which show as empty boxes
# where no emoji font is installed.
ICONS: dict[str, tuple[str, str]] = {
    "footprints": (
        "footprints",
        '<ellipse cx="8" cy="8" rx="2.5" ry="4"/><ellipse cx="16" cy="15" rx="2.5" ry="4"/>'
        '<path d="M6.5 15.5h3M14.5 22h3"/>',
    ),
    "target": (
        "a target hit in the centre",
        '<circle cx="12" cy="12" r="9"/><circle cx="12" cy="12" r="5"/><circle cx="12" cy="12" r="1.5"/>',
    ),
    "abacus": (
        "an abacus",
        '<rect x="3" y="3" width="18" height="18" rx="2"/><path d="M3 9h18M3 15h18"/>'
        '<circle cx="8" cy="9" r="1.5"/><circle cx="14" cy="9" r="1.5"/><circle cx="10" cy="15" r="1.5"/>'
        '<circle cx="17" cy="15" r="1.5"/>',
    ),
    "check": ("a tick in a circle", '<circle cx="12" cy="12" r="9"/><path d="M7.5 12.5l3 3 6-7"/>'),
    "scales": (
        "balanced scales",
        '<path d="M12 3v18M7 21h10M4 7h16M4 7l-2.5 6h5zM20 7l-2.5 6h5z"/>',
    ),
    "rocket": (
        "a rocket",
        '<path d="M12 2c3 2.5 4.5 6 4.5 10l-2 4h-5l-2-4C7.5 8 9 4.5 12 2z"/><circle cx="12" cy="9" r="1.8"/>'
        '<path d="M9.5 16l-2.5 4M14.5 16l2.5 4M12 17v5"/>',
    ),
    "trophy": (
        "a trophy",
        '<path d="M7 3h10v6a5 5 0 0 1-10 0zM7 5H3.5a3.5 3.5 0 0 0 3.5 5M17 5h3.5a3.5 3.5 0 0 1-3.5 5'
        'M12 14v4M8 21h8M9 18h6v3H9z"/>',
    ),
    "mountain": ("a mountain with a flag on top", '<path d="M2 21l7-11 4 5 3-4 6 10zM9 10V3l4 2-4 2"/>'),
    "flame": (
        "a flame",
        '<path d="M12 2c1 4 6 6 6 12a6 6 0 0 1-12 0c0-3 1.5-5 3-6 0 2 1 3 2 3.5C11 9 10.5 5 12 2z"/>',
    ),
    "calendar": (
        "a calendar",
        '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4M7 14h2M11 14h2M15 14h2'
        'M7 17h2M11 17h2"/>',
    ),
    "medal": (
        "a medal",
        '<path d="M8 2l4 7 4-7M5 2h6M13 2h6"/><circle cx="12" cy="15" r="6"/><path d="M12 12.5v5M11 13.5l1-1"/>',
    ),
    "compass": (
        "a compass",
        '<circle cx="12" cy="12" r="9"/><path d="M15.5 8.5l-2 5-5 2 2-5z"/>',
    ),
}


@dataclass(frozen=True)
class Achievement:
    slug: str
    name: str
    description: str
    icon: str  # a key of ICONS
    criterion: Callable[[EventContext], bool]
    events: frozenset[str]

    @property
    def icon_label(self) -> str:
        return ICONS[self.icon][0]

    @property
    def icon_drawing(self) -> str:
        return ICONS[self.icon][1]


def _achievement(slug, name, description, icon, criterion, *events) -> Achievement:
    return Achievement(slug, name, description, icon, criterion, frozenset(events))


ACHIEVEMENTS: tuple[Achievement, ...] = (
    _achievement(
        "first-quiz", "First steps", "Finish your first quiz.", "footprints", finished_first_quiz, QUIZ
    ),
    _achievement(
        "perfect-quiz",
        "Flawless",
        "Answer every question of a quiz fully right.",
        "target",
        perfect_quiz,
        QUIZ,
    ),
    _achievement(
        "ten-calculations",
        "Number cruncher",
        "Get 10 different calculation questions right.",
        "abacus",
        ten_calculations_right,
        QUIZ,
    ),
    _achievement(
        "first-pass",
        "It converges",
        "Pass your first code exercise.",
        "check",
        first_exercise_passed,
        EXERCISE,
    ),
    _achievement(
        "bias-corrected",
        "Bias corrected",
        "Pass the Adam exercise after a submission diagnosed as missing bias correction.",
        "scales",
        passed_after_missing_bias_correction,
        EXERCISE,
    ),
    _achievement(
        "faster-than-sgd",
        "Faster than SGD",
        "Write a momentum method that reaches the minimum of the ill-conditioned quadratic "
        "in fewer steps than plain SGD.",
        "rocket",
        momentum_faster_than_sgd,
        EXERCISE,
    ),
    _achievement(
        "every-optimizer",
        "Every optimizer",
        "Pass every code exercise.",
        "trophy",
        every_exercise_passed,
        EXERCISE,
    ),
    _achievement(
        "persistence",
        "Persistence",
        "Pass an exercise after three failed submissions of it.",
        "mountain",
        passed_after_three_failures,
        EXERCISE,
    ),
    _achievement(
        "streak-3",
        "Three weeks running",
        "Practise in three consecutive weeks.",
        "flame",
        three_week_streak,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "streak-8",
        "Habit formed",
        "Practise in eight consecutive weeks.",
        "calendar",
        eight_week_streak,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "first-mastery",
        "Mastered",
        "Reach the mastered level on any concept.",
        "medal",
        first_concept_mastered,
        QUIZ,
        EXERCISE,
    ),
    _achievement(
        "all-rounder",
        "All-rounder",
        "Be at least familiar with every concept.",
        "compass",
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
