"""The optimizer challenge: enter an optimizer (the challenge page's service, limits and throttle),
and read a course's leaderboard with the page's visibility rules. An entry is a submission: its
status and verdict are read with the submissions' endpoints."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from api.errors import Rejected, throttle
from api.schemas import ChallengeBoardOut, ChallengeEntryIn, ErrorOut, SubmissionOut, ValidationErrorOut
from courses.services.access import get_course_for_member
from courses.services.challenge import leaderboard
from grading.models import Submission
from grading.services import SubmissionRejected
from grading.services.challenge import challenge_entry_create

router = Router(tags=["challenge"])


@router.post(
    "/challenge/entries",
    response={201: SubmissionOut, 400: ValidationErrorOut | ErrorOut, 429: ErrorOut},
)
def create_challenge_entry(request: HttpRequest, payload: ChallengeEntryIn) -> Status[Submission]:
    """Enter an optimizer in the challenge; it is graded in the background like any submission (poll
    /submissions/{id} and /submissions/{id}/verdict). A retry with the same `client_token` and source
    returns the entry already stored."""
    throttle(request, "submission")
    try:
        entry = challenge_entry_create(
            student=request.user, source=payload.source, client_token=payload.client_token or ""
        )
    except SubmissionRejected as error:
        raise Rejected(str(error)) from None
    return Status(201, entry)


@router.get("/courses/{course_id}/challenge/leaderboard", response={200: ChallengeBoardOut, 404: ErrorOut})
def course_challenge_leaderboard(request: HttpRequest, course_id: int) -> dict:
    """The course's leaderboard, best first: each enrolled student's best graded entry among the tuned
    baselines. Its teachers see every name; a student sees every rank and score, their own name, and
    "a classmate" for the others. Others, and students while the challenge is off, get 404."""
    course, teaches = get_course_for_member(request.user, course_id)
    if not course.challenge_enabled:
        if not teaches:
            raise Http404("No such course.")
        raise HttpError(
            404,
            "The optimizer challenge is off for this course: its editors turn it on from the course's "
            "'Optimizer challenge' page.",
        )
    rows = leaderboard(course, viewer=request.user, teaches=teaches)
    return {"course_id": course.pk, "course": course.name, "rows": rows}
