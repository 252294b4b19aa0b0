"""Business rules for code submissions: creating them, who may see them, and the grading lease.

from grading.services import submission_create, get_submission_for_user
"""

from grading.services.queue import (
    Claim,
    claim_submission,
    enqueue_grading,
    finish_submission,
    heartbeat,
    lease_seconds,
    release_submission,
    requeue_stale,
)
from grading.services.submissions import (
    MAX_SOURCE_BYTES,
    SubmissionRejected,
    best_scores_for,
    common_diagnoses,
    get_submission_for_user,
    last_source_for,
    submission_create,
    submissions_for_instructor,
)

__all__ = [
    "MAX_SOURCE_BYTES",
    "Claim",
    "SubmissionRejected",
    "best_scores_for",
    "claim_submission",
    "common_diagnoses",
    "enqueue_grading",
    "finish_submission",
    "get_submission_for_user",
    "heartbeat",
    "last_source_for",
    "lease_seconds",
    "release_submission",
    "requeue_stale",
    "submission_create",
    "submissions_for_instructor",
]
