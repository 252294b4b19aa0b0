"""Quizzes you author, the results of their attempts, and your own attempts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from api.auth import SERVICE_AUTH, service_course_id
from api.endpoints.common import Pages, instructors_only
from api.schemas import AttemptResultOut, ErrorOut, OwnAttemptOut, QuizOut
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.services.access import OWN, get_quiz_for_user, quizzes_for_user
from quizzes.services.attempts import attempt_close_if_expired

router = Router(tags=["quizzes"])


@router.get("/quizzes", response=list[QuizOut])
@paginate(Pages)
def list_quizzes(request: HttpRequest) -> QuerySet[Quiz]:
    """The quizzes you own (a quiz has no co-authors); every quiz for superusers."""
    instructors_only(request)
    return quizzes_for_user(request.user).order_by("slug")


@router.get(
    "/quizzes/{slug}/attempts", response={200: list[AttemptResultOut], 404: ErrorOut}, auth=SERVICE_AUTH
)
@paginate(Pages)
def quiz_attempts(request: HttpRequest, slug: str) -> QuerySet[Attempt]:
    """Every attempt at a quiz you own: per student and attempt number, its status, score and finish.
    With an LMS's service token: the attempts of its course's students at a quiz assigned there."""
    scoped = service_course_id(request)
    if scoped is not None:
        quiz = Quiz.objects.filter(slug=slug, assignments__course_id=scoped).distinct().first()
        if quiz is None:
            raise Http404("No such quiz in this course.")
        attempts = Attempt.objects.filter(quiz=quiz, student__enrollments__course_id=scoped)
    else:
        instructors_only(request)
        attempts = Attempt.objects.filter(quiz=get_quiz_for_user(request.user, slug, to=OWN))
    return attempts.select_related("student").order_by("student__username", "number")


@router.get("/attempts", response=list[OwnAttemptOut])
@paginate(Pages)
def my_attempts(request: HttpRequest) -> QuerySet[Attempt]:
    """Your own quiz attempts, newest first (a timed attempt whose time is up is finished first, as on the pages)."""
    running = Attempt.objects.filter(
        student_id=request.user.pk, status=AttemptStatus.IN_PROGRESS, deadline__lt=timezone.now()
    ).select_related("quiz")
    for attempt in running:
        attempt_close_if_expired(attempt=attempt)
    return (
        Attempt.objects.filter(student_id=request.user.pk)
        .select_related("quiz")
        .order_by("-started_at", "-id")
    )
