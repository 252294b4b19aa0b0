"""What the API sends and accepts (pydantic models through django-ninja)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from grading.services.submissions import CLIENT_TOKEN_PATTERN

BankFormat = Literal["yaml", "moodle-xml", "gift"]


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldError]


class BankOut(Schema):
    slug: str
    name: str
    description: str
    owner: str | None
    updated_at: datetime

    @staticmethod
    def resolve_owner(bank: Any) -> str | None:
        return bank.owner.username if bank.owner_id else None


class ItemOut(Schema):
    key: str
    kind: str
    title: str
    stem: str
    explanation: str
    difficulty: int
    position: int
    topics: list[str]

    @staticmethod
    def resolve_topics(item: Any) -> list[str]:
        return [topic.slug for topic in item.topics.all()]


class LocationOut(Schema):
    file: str = ""
    item_index: int | None = None
    item_key: str | None = None
    field: str = ""
    line: int | None = None


class SkippedOut(Schema):
    name: str
    type: str
    reason: str
    location: LocationOut


class ProblemOut(Schema):
    message: str
    location: LocationOut
    text: str  # the location and the message as one line


class ExportOut(Schema):
    bank: str
    format: BankFormat
    filename: str
    text: str
    skipped: list[SkippedOut]  # items this format cannot express: left out of `text`
    notes: list[str]


class ImportIn(Schema):
    format: BankFormat
    text: str = Field(..., description="The bank file's text (UTF-8).")
    filename: str = Field("", max_length=255, description="Only used to name locations in problems.")
    replace: bool = Field(True, description="Delete the bank's items that the file does not have.")


class ImportOut(Schema):
    bank: str
    created: int
    updated: int
    deleted: int
    kept: list[str]
    skipped: list[SkippedOut]
    notes: list[str]
    summary: str


class ImportRefusedOut(Schema):
    detail: str
    problems: list[ProblemOut]
    skipped: list[SkippedOut]


class QuizOut(Schema):
    slug: str
    title: str
    published: bool
    max_attempts: int | None
    time_limit_minutes: int | None
    grading_policy: str


class AttemptResultOut(Schema):
    id: int
    student: str = Field(..., alias="student.username")
    number: int
    status: str
    score: float | None
    started_at: datetime
    finished_at: datetime | None


class OwnAttemptOut(Schema):
    id: int
    quiz: str = Field(..., alias="quiz.slug")
    number: int
    status: str
    score: float | None
    started_at: datetime
    deadline: datetime | None
    finished_at: datetime | None


class SubmissionIn(Schema):
    exercise: str = Field(..., max_length=64, description="The exercise's slug, e.g. 'sgd'.")
    source: str = Field(..., description="Python source defining init_state and step.")


class SubmissionOut(Schema):
    id: int
    exercise: str = Field(..., alias="exercise_slug")
    student: str = Field(..., alias="student.username")
    status: str
    finished: bool = Field(..., alias="is_finished")
    score: float | None
    passed: bool
    created_at: datetime
    graded_at: datetime | None


class VerdictOut(SubmissionOut):
    verdict: dict[str, Any] | None  # the grader's stored verdict; empty until graded
    grading_error: str


class ChallengeEntryIn(Schema):
    source: str = Field(
        ..., description="Python source defining init_state(params) and step(params, grads, state)."
    )
    client_token: str | None = Field(
        None,
        pattern=f"^(?:{CLIENT_TOKEN_PATTERN})?$",
        description=(
            "Optional (empty: none), 16 to 64 letters, digits, '-' or '_', new for each entry: a retry with the same "
            "token and source returns the entry already stored instead of storing a second one."
        ),
    )


class ChallengeRowOut(Schema):
    rank: int  # equal scores share a rank
    name: str  # a baseline's title; a student's username, or "a classmate" (see docs/challenge.md)
    baseline: bool = Field(..., alias="is_baseline")
    you: bool = Field(..., alias="is_you")
    score: float  # 1 / ratio: higher is better, 1 ties the best baseline of every problem
    ratio: float | None  # geometric mean of the per-problem steps ratios
    reached_fraction: float  # of the suite's problems whose target was reached
    submission_id: int | None  # the entry behind the row, for rows the caller may open


class ChallengeBoardOut(Schema):
    course_id: int
    course: str
    rows: list[ChallengeRowOut]


class AssignmentOut(Schema):
    id: int
    kind: str
    target: str  # the quiz's slug or the exercise's slug
    label: str
    opens_at: datetime
    due_at: datetime
    weight: float  # in the weighted total; 0 leaves it out
    late_penalty_per_day: float  # percent of the score per started day late
    late_penalty_cap: float  # percent, at most


class CellOut(Schema):
    assignment_id: int
    best: float | None
    latest: float | None
    attempts: int
    completed_at: datetime | None
    late: bool
    due_at: datetime  # the student's: an extension's when they have one
    raw: float | None  # what would count without a late penalty
    final: float | None  # what counts: after the late penalty, or the grade set by hand
    adjusted: str  # "", "late penalty" or "override"
    # Quizzes: answers (essays) still waiting for a person's grade; they count 0 until graded, so a
    # cell with any is provisional (0 once graded, or when the grade is set by hand).
    awaiting_grading: int


class GradebookRowOut(Schema):
    student: str
    joined_at: datetime
    cells: list[CellOut]
    total: float | None  # the weighted mean of the final scores


class GradebookOut(Schema):
    course_id: int
    course: str
    assignments: list[AssignmentOut]
    rows: list[GradebookRowOut]
