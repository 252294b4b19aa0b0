"""Code submissions: create one (the page's service, limits and throttle), then poll its status and verdict."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Status

from api.errors import Rejected, throttle
from api.schemas import ErrorOut, SubmissionIn, SubmissionOut, ValidationErrorOut, VerdictOut
from grading.models import Submission
from grading.services import SubmissionRejected, get_submission_for_user, submission_create

router = Router(tags=["submissions"])


def _visible(request: HttpRequest, submission_id: int) -> Submission:
    try:
        return get_submission_for_user(request.user, submission_id)
    except Submission.DoesNotExist:
        raise Http404("No such submission.") from None


@router.post(
    "/submissions",
    response={201: SubmissionOut, 400: ValidationErrorOut | ErrorOut, 429: ErrorOut},
)
def create_submission(request: HttpRequest, payload: SubmissionIn) -> Status[Submission]:
    """Submit code for an exercise; it is graded in the background (poll its status)."""
    throttle(request, "submission")
    try:
        submission = submission_create(student=request.user, exercise=payload.exercise, source=payload.source)
    except SubmissionRejected as error:
        raise Rejected(str(error)) from None
    return Status(201, submission)


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, 404: ErrorOut})
def submission_status(request: HttpRequest, submission_id: int) -> Submission:
    """Where a submission is: queued, running, graded, or error (your own, or your students')."""
    return _visible(request, submission_id)


@router.get("/submissions/{submission_id}/verdict", response={200: VerdictOut, 404: ErrorOut})
def submission_verdict(request: HttpRequest, submission_id: int) -> Submission:
    """The grader's verdict once graded (`verdict` is empty before that)."""
    return _visible(request, submission_id)
