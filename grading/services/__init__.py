"""Business rules for code submissions: creating them, who may see them, and the grading queue.

from grading.services import submission_create, get_submission_for_user
"""

from grading.services.queue import (
    Claim,
    claim_next,
    claim_submission,
    finish_submission,
    heartbeat,
    lease_seconds,
    release_submission,
    requeue_stale,
)
from grading.services.submissions import (
    MAX_SOURCE_BYTES,
    SubmissionLimitReached,
    SubmissionRejected,
    best_scores_for,
    common_diagnoses,
    get_submission_for_user,
    last_source_for,
    submission_create,
    submissions_for_instructor,
)
from grading.services.workers import queue_status

__all__ = [
    "MAX_SOURCE_BYTES",
    "Claim",
    "SubmissionLimitReached",
    "SubmissionRejected",
    "best_scores_for",
    "claim_next",
    "claim_submission",
    "common_diagnoses",
    "finish_submission",
    "get_submission_for_user",
    "heartbeat",
    "last_source_for",
    "lease_seconds",
    "queue_status",
    "release_submission",
    "requeue_stale",
    "submission_create",
    "submissions_for_instructor",
]
