"""What other apps may ask grading (courses, progress). Everything else in grading is its own business.

- exercises: `exercises()`, `exercise_info(slug)`, `exercise_slugs()`: title, order and topics (the
  folder exercises; `exercise_info` also knows instructors' published ones, and
  `assignable_exercises(user)` lists what an instructor may assign);
- a stored verdict: `graded_submission(id)` (the facts of one submission, as a frozen record),
  `graded_submissions_of(student)`,
  `earlier_failed_verdicts(submission)`, `diagnosis_names(verdict)`, `problem_record(verdict, case)`;
- the optimizer challenge: `CHALLENGE_SLUG`, `challenge_best_entries(student_ids)` (each student's
  best graded entry) and `challenge_baselines()` (the tuned baselines, scored like an entry);
- what the grader measured against: `convergence_target(record, case)` and `sgd_steps_to(target,
  case)`, for achievements that compare a student's optimizer with plain SGD.

Importing this module is cheap: the exercise catalogue (which reads and validates every exercise
folder) and the trajectory code load on first use, so Django start-up stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from grading.challenge import CHALLENGE_SLUG as CHALLENGE_SLUG
from grading.challenge import CHALLENGE_TITLE as CHALLENGE_TITLE
from grading.models import AuthoredExercise, Submission
from grading.verdict import is_gradable

if TYPE_CHECKING:
    from grading.exercises import Exercise


@dataclass(frozen=True)
class ExerciseInfo:
    """What other apps show of an exercise."""

    slug: str
    title: str
    order: int
    topics: tuple[str, ...]


def _catalogue() -> Mapping[str, Exercise]:
    from grading.exercises import EXERCISES  # reads every exercise folder: not at Django start-up

    return EXERCISES


def exercises() -> tuple[ExerciseInfo, ...]:
    """Every exercise, in the order the exercise list shows them."""
    return tuple(ExerciseInfo(e.slug, e.title, e.order, e.topics) for e in _catalogue().values())


def exercise_slugs() -> tuple[str, ...]:
    return tuple(_catalogue())


def exercise_info(slug: str) -> ExerciseInfo | None:
    """A folder exercise, or an instructor's published one (as published); None for anything else."""
    exercise = _catalogue().get(slug)
    if exercise is not None:
        return ExerciseInfo(exercise.slug, exercise.title, exercise.order, exercise.topics)

    published = AuthoredExercise.objects.filter(slug=slug).values_list("published", flat=True).first()
    return _published_info(slug, published)


def _published_info(slug: str, published: Any) -> ExerciseInfo | None:
    """What an instructor's exercise shows as published; None when it is not published."""
    if not isinstance(published, dict):
        return None
    return ExerciseInfo(
        slug,
        str(published.get("title", slug)),
        int(published.get("order", 0)),
        tuple(published.get("topics", ())),
    )


def assignable_exercises(user: Any) -> tuple[ExerciseInfo, ...]:
    """What `user` may assign in a course: every folder exercise, then the published instructor
    exercises they author or that are shared with them."""
    # grading.services.authoring reads every exercise folder when imported: not at Django start-up
    from grading.services.authoring import exercises_for_user

    authored = exercises_for_user(user).filter(published__isnull=False).order_by("order", "slug")
    # One query for all of them (not one per exercise); a slug a folder exercise also uses is the folder's.
    rows = authored.values_list("slug", "published")
    return exercises() + tuple(
        info
        for info in (
            exercise_info(slug) if slug in _catalogue() else _published_info(slug, data)
            for slug, data in rows
        )
        if info
    )


@dataclass(frozen=True)
class GradedSubmission:
    """The facts of one stored submission that other apps may use."""

    pk: int
    student_id: int
    exercise_slug: str
    status: str  # Submission.Status: "graded" once a verdict is stored
    verdict: dict[str, Any]  # Verdict.to_dict(); {} before grading
    passed: bool
    score: float | None
    created_at: datetime
    graded_at: datetime | None

    @property
    def is_graded(self) -> bool:
        return self.status == Submission.Status.GRADED

    @property
    def gradable(self) -> bool:
        """The code ran and was judged (verdict passed or failed), unlike a syntax error."""
        return is_gradable(self.verdict)


def graded_submission(submission_id: int) -> GradedSubmission:
    """The submission's facts; Submission.DoesNotExist for an unknown id."""
    return _facts(Submission.objects.defer("source").get(pk=submission_id))


def graded_submissions_of(student: Any) -> list[GradedSubmission]:
    """Every submission of `student` that has a stored verdict, oldest first."""
    rows = (
        Submission.objects.filter(student=student, status=Submission.Status.GRADED)
        .exclude(exercise_slug=CHALLENGE_SLUG)  # a challenge score is no exercise score
        .defer("source")
    )
    return [_facts(row) for row in rows.order_by("created_at", "pk")]


def _facts(row: Submission) -> GradedSubmission:
    return GradedSubmission(
        pk=row.pk,
        student_id=row.student_id,
        exercise_slug=row.exercise_slug,
        status=row.status,
        verdict=row.verdict if isinstance(row.verdict, dict) else {},
        passed=row.passed,
        score=row.score,
        created_at=row.created_at,
        graded_at=row.graded_at,
    )


def earlier_failed_verdicts(submission: GradedSubmission) -> list[dict[str, Any]]:
    """The verdicts of the same student's graded, failed submissions of the same exercise, made no
    later than `submission` (itself excluded)."""
    earlier = Submission.objects.filter(
        student_id=submission.student_id,
        exercise_slug=submission.exercise_slug,
        status=Submission.Status.GRADED,
        passed=False,
        created_at__lte=submission.created_at,
    ).exclude(pk=submission.pk)
    return [
        verdict if isinstance(verdict, dict) else {} for verdict in earlier.values_list("verdict", flat=True)
    ]


def diagnosis_names(verdict: object) -> list[str]:
    """The names of the catalogued mistakes a stored verdict diagnosed."""
    if not isinstance(verdict, dict):
        return []
    entries = verdict.get("diagnosis") or []
    return [str(entry.get("name")) for entry in entries if isinstance(entry, dict)]


def problem_record(verdict: object, case_id: str) -> dict[str, Any] | None:
    """A stored verdict's record of one graded case, or None."""
    if not isinstance(verdict, dict):
        return None
    for record in verdict.get("problems") or []:
        if isinstance(record, dict) and record.get("id") == case_id:
            return record
    return None


def convergence_target(record: dict[str, Any], case_id: str) -> float | None:
    """The loss the grader counted as "converged" on a case, from the case's verdict record."""
    from grading import baselines  # NumPy and the optimizer core: only when an achievement asks

    return baselines.convergence_target(record, case_id)


@cache
def sgd_steps_to(target: float, case_id: str) -> int | None:
    """Steps plain SGD (at the SGD exercise's learning rate on the case) needs to get below `target`;
    None if it never does within 20x the case's step budget."""
    from grading import baselines  # NumPy and the optimizer core: only when an achievement asks

    return baselines.sgd_steps_to(target, case_id)


# ---------------------------------------------------------------- the optimizer challenge


@dataclass(frozen=True)
class ChallengeEntry:
    """A student's best graded challenge entry."""

    student_id: int
    submission_id: int
    score: float  # higher is better; 1.0 ties the best tuned baseline on every problem
    ratio: float | None  # the geometric mean of steps / best baseline's steps
    reached_fraction: float
    graded_at: datetime | None


@dataclass(frozen=True)
class ChallengeBaseline:
    name: str
    title: str
    score: float
    ratio: float
    reached_fraction: float


def challenge_best_entries(student_ids: Any) -> dict[int, ChallengeEntry]:
    """Student id -> their best graded challenge entry, for these students only."""
    # Through grading.services.submissions this reads every exercise folder: not at Django start-up.
    from grading.services.challenge import best_entries

    return {
        student_id: ChallengeEntry(
            entry.student_id,
            entry.submission_id,
            entry.score,
            entry.ratio,
            entry.reached_fraction,
            entry.graded_at,
        )
        for student_id, entry in best_entries(student_ids).items()
    }


def challenge_baselines() -> tuple[ChallengeBaseline, ...]:
    """The tuned baselines, scored exactly as an entry is (read from the runs every process shares; see docs/challenge.md)."""
    from grading.challenge.baselines import baseline_standings  # NumPy and the runs: only when asked
    from grading.challenge.problems import challenge_problems  # builds the suite's arrays: as above

    count = len(challenge_problems())
    return tuple(
        ChallengeBaseline(b.optimizer, b.title, b.score, b.ratio, b.reached / count)
        for b in baseline_standings()
    )
