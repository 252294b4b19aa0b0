"""Challenge entries: stored and queued as submissions (same queue, same fair scheduler, same
pending limit and workers), under the challenge's own slug; read back for pages and leaderboards."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from grading.challenge import CHALLENGE_SLUG
from grading.models import Submission
from grading.services.submissions import store_submission


def challenge_entry_create(*, student, source: str, client_token: str = "") -> Submission:
    """Queue the student's optimizer for the challenge; SubmissionRejected / SubmissionLimitReached
    (nothing stored) exactly as for an exercise."""
    return store_submission(student=student, slug=CHALLENGE_SLUG, source=source, client_token=client_token)


def challenge_entries_of(student) -> QuerySet[Submission]:
    return Submission.objects.filter(student=student, exercise_slug=CHALLENGE_SLUG).defer("source", "verdict")


def last_challenge_source(student) -> str | None:
    latest = Submission.objects.filter(student=student, exercise_slug=CHALLENGE_SLUG).only("source").first()
    return latest.source if latest else None


def is_challenge_entry(submission: Submission) -> bool:
    return submission.exercise_slug == CHALLENGE_SLUG


@dataclass(frozen=True)
class BestEntry:
    student_id: int
    submission_id: int
    score: float
    ratio: float | None
    reached_fraction: float  # of the suite's problems whose target it reached
    graded_at: datetime | None


def best_entries(student_ids) -> dict[int, BestEntry]:
    """Student id -> their best graded challenge entry (highest score; the earliest among equals),
    for the given students only. Entries that could not be graded (status "error" in the verdict)
    do not count."""
    best: dict[int, BestEntry] = {}
    graded = (
        Submission.objects.filter(
            exercise_slug=CHALLENGE_SLUG,
            status=Submission.Status.GRADED,
            student_id__in=student_ids,
            verdict__status__in=["passed", "failed"],
        )
        .order_by("-score", "graded_at", "id")
        .values_list("student_id", "id", "score", "verdict__ratio", "verdict__convergence", "graded_at")
    )
    for student_id, submission_id, score, ratio, reached_fraction, graded_at in graded:
        if student_id in best:
            continue
        best[student_id] = BestEntry(
            student_id, submission_id, float(score or 0.0), ratio, float(reached_fraction or 0.0), graded_at
        )
    return best
