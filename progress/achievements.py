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
from functools import cache, cached_property

from progress.concepts import CONCEPTS
from progress.mastery import Level
from quizzes.engine.kinds import ItemKind

QUIZ = "quiz"
EXERCISE = "exercise"
PERFECT = 1.0 - 1e-9  # scores are floats; a full mark may arrive as 0.9999999999
MOMENTUM_EXERCISES = ("momentum", "momentum-ema", "nesterov")
ILL_CONDITIONED_CASE = "d2l-quadratic"
MISSING_BIAS_CORRECTION = "missing-bias-correction"


@dataclass
class EventContext:
    """What a criterion may look at. `masteries` maps concept slug -> level after the event."""

    student: object
    kind: str  # QUIZ or EXERCISE
    progress: object  # progress.models.StudentProgress, already updated
    masteries: dict[str, int]
    today: date
    attempt: object | None = None  # quizzes.models.Attempt, for QUIZ
    answered_count: int = 0
    submission: object | None = None  # grading.models.Submission, for EXERCISE

    @cached_property
    def passed_exercises(self) -> set[str]:
        from progress.models import Solved, SolvedKind

        return set(
            Solved.objects.filter(student=self.student, kind=SolvedKind.EXERCISE).values_list(
                "key", flat=True
            )
        )


# ---------------------------------------------------------------------------------------- criteria


def finished_first_quiz(ctx: EventContext) -> bool:
    return ctx.answered_count > 0


def perfect_quiz(ctx: EventContext) -> bool:
    return ctx.answered_count > 0 and (ctx.attempt.raw_score or 0.0) >= PERFECT


def ten_calculations_right(ctx: EventContext) -> bool:
    from progress.models import Solved, SolvedKind

    solved = Solved.objects.filter(student=ctx.student, kind=SolvedKind.ITEM, item_kind=ItemKind.CALCULATION)
    return solved.count() >= 10


def first_exercise_passed(ctx: EventContext) -> bool:
    return ctx.submission.passed


def every_exercise_passed(ctx: EventContext) -> bool:
    from grading.exercises import EXERCISES

    return ctx.submission.passed and set(EXERCISES) <= ctx.passed_exercises


def passed_after_missing_bias_correction(ctx: EventContext) -> bool:
    """A passing Adam submission with an earlier one of the student's diagnosed without bias correction."""
    from grading.models import Submission

    submission = ctx.submission
    if submission.exercise_slug != "adam" or not submission.passed:
        return False
    earlier = Submission.objects.filter(
        student=ctx.student,
        exercise_slug="adam",
        status=Submission.Status.GRADED,
        passed=False,
        created_at__lte=submission.created_at,
    ).exclude(pk=submission.pk)
    return any(
        MISSING_BIAS_CORRECTION in diagnosis_names(verdict)
        for verdict in earlier.values_list("verdict", flat=True)
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
    target = convergence_target(record)
    if target is None:
        return False
    baseline = sgd_steps_to(target)
    return baseline is None or record["steps_to_tol"] < baseline


def passed_after_three_failures(ctx: EventContext) -> bool:
    from grading.models import Submission

    submission = ctx.submission
    if not submission.passed:
        return False
    failures = Submission.objects.filter(
        student=ctx.student,
        exercise_slug=submission.exercise_slug,
        status=Submission.Status.GRADED,
        passed=False,
        created_at__lte=submission.created_at,
    ).exclude(pk=submission.pk)
    return failures.count() >= 3


def three_week_streak(ctx: EventContext) -> bool:
    return ctx.progress.streak_weeks >= 3


def eight_week_streak(ctx: EventContext) -> bool:
    return ctx.progress.streak_weeks >= 8


def first_concept_mastered(ctx: EventContext) -> bool:
    return any(level >= Level.MASTERED for level in ctx.masteries.values())


def familiar_with_everything(ctx: EventContext) -> bool:
    return all(ctx.masteries.get(concept.slug, 0) >= Level.FAMILIAR for concept in CONCEPTS)


# ------------------------------------------------------------------------------- verdict reading


def diagnosis_names(verdict: dict | None) -> list[str]:
    if not isinstance(verdict, dict):
        return []
    return [entry.get("name") for entry in verdict.get("diagnosis") or [] if isinstance(entry, dict)]


def problem_record(verdict: dict | None, case_id: str) -> dict | None:
    if not isinstance(verdict, dict):
        return None
    for record in verdict.get("problems") or []:
        if isinstance(record, dict) and record.get("id") == case_id:
            return record
    return None


def convergence_target(record: dict) -> float | None:
    """The loss the grader counted as "converged" on this case (see grading.scoring)."""
    from grading.plans import CASES
    from grading.scoring import CONVERGENCE_TOLERANCE
    from optimlab.problems import get_problem

    final = record.get("reference_final_loss")
    if final is None:
        return None
    case = CASES[ILL_CONDITIONED_CASE]
    initial = get_problem(case.problem).value(_as_array(case.params[0]))
    return final + CONVERGENCE_TOLERANCE * max(float(initial) - final, 0.0)


@cache
def sgd_steps_to(target: float) -> int | None:
    """Steps plain SGD needs to get below `target` on the ill-conditioned case, at the learning rate
    the SGD exercise uses there; None if it never does within 20× the case's step budget."""
    from grading.exercises import get_exercise
    from grading.plans import CASES
    from optimlab.runner import run_optimizer

    case = CASES[ILL_CONDITIONED_CASE]
    lr = next(entry.hp["lr"] for entry in get_exercise("sgd").suite if entry.case == ILL_CONDITIONED_CASE)
    run = run_optimizer(
        "sgd", case.problem, hp={"lr": lr}, steps=20 * case.steps, start=_as_array(case.params[0])
    )
    below = [step for step, loss in enumerate(run.loss) if loss <= target]
    return below[0] if below else None


def _as_array(values):
    import numpy as np

    return np.asarray(values, dtype=np.float64)


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
