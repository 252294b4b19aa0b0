"""Code exercise pages. Thin: rules live in grading.services, the editor in static/js/grading.js."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import instructor_required
from grading import views_challenge
from grading.challenge import CHALLENGE_TITLE
from grading.exercises import EXERCISES, get_exercise
from grading.models import Submission
from grading.services.authoring import exercise_for_student, published_for_student
from grading.services.challenge import challenge_entries_of, is_challenge_entry
from grading.services.plots import plots_for
from grading.services.submissions import (
    HISTORY_LENGTH,
    SubmissionLimitReached,
    SubmissionRejected,
    best_scores_for,
    common_diagnoses,
    editor_state,
    get_submission_for_user,
    last_source_for,
    new_client_token,
    submission_create,
    submissions_for_instructor,
    submissions_of,
)
from throttling import check, retry_after

logger = logging.getLogger("grading.views")

INSTRUCTOR_PAGE_SIZE = 200


def _exercise_or_404(request: HttpRequest, slug: str):
    """A folder exercise, or a published instructor exercise the user may open (as published)."""
    if slug in EXERCISES:
        return get_exercise(slug)
    exercise = exercise_for_student(request.user, slug)
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


def _submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    try:
        return get_submission_for_user(request.user, submission_id)
    except Submission.DoesNotExist:
        raise Http404("No such submission.") from None


def exercises(request: HttpRequest) -> HttpResponse:
    best = best_scores_for(request.user) if request.user.is_authenticated else {}
    rows = [{"exercise": exercise, "best": best.get(slug)} for slug, exercise in EXERCISES.items()]
    rows += [{"exercise": e, "best": best.get(e.slug)} for e in published_for_student(request.user)]
    return render(request, "grading/exercises.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = _exercise_or_404(request, slug)
    if request.method == "GET":
        source = last_source_for(request.user, exercise.slug) or exercise.starter_source
        return _exercise_page(request, exercise, source, new_client_token())

    # Whatever goes wrong below, the form comes back with the student's code in it.
    source = request.POST.get("source", "")
    token = request.POST.get("client_token", "")
    throttled = check(request, "submission")
    if throttled is not None:
        messages.error(request, f"{throttled.message} This code was not submitted; it is still below.")
        return retry_after(_exercise_page(request, exercise, source, token, status=429), throttled)
    try:
        submission = submission_create(
            student=request.user, exercise=exercise, source=source, client_token=token
        )
    except SubmissionLimitReached as error:
        messages.error(request, str(error))
        return _exercise_page(request, exercise, source, new_client_token(), status=429)
    except SubmissionRejected as error:
        messages.error(request, str(error))
        return _exercise_page(request, exercise, source, new_client_token(), status=400)
    except DatabaseError:
        logger.exception("storing a submission failed")
        # The commit may or may not have reached the database: the form keeps the same token,
        # so submitting again either stores it once or finds the one already stored.
        messages.error(
            request,
            "Your submission could not be stored: the database did not answer. Submit again in a "
            "moment; if the first attempt did get through, you will be taken to it, not to a copy.",
        )
        return _exercise_page(request, exercise, source, token, status=503)
    return redirect("grading:submission", submission_id=submission.pk)


def _exercise_page(request, exercise, source: str, client_token: str, *, status: int = 200) -> HttpResponse:
    context = {
        "exercise": exercise,
        **editor_state(submissions_of(request.user, exercise.slug), source, client_token),
    }
    return render(request, "grading/exercise_detail.html", context, status=status)


@login_required
@require_GET
def exercise_starter(request: HttpRequest, slug: str) -> HttpResponse:
    """The starter code as plain text, for the editor's "reset to starter" button."""
    exercise = _exercise_or_404(request, slug)
    return HttpResponse(exercise.starter_source, content_type="text/plain; charset=utf-8")


def _result_context(submission: Submission) -> dict:
    return {
        "submission": submission,
        "verdict": submission.verdict,
        "plots": plots_for(submission),
    }


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    if is_challenge_entry(submission):
        context = views_challenge.entry_context(submission) | {
            "history": challenge_entries_of(submission.student)[:HISTORY_LENGTH],
            "own": submission.student_id == request.user.pk,
            "title": CHALLENGE_TITLE,
        }
        return render(request, "grading/challenge_entry.html", context)
    exercise = EXERCISES.get(submission.exercise_slug) or exercise_for_student(
        request.user, submission.exercise_slug
    )
    context = _result_context(submission) | {
        "exercise": exercise,
        "history": submissions_of(submission.student, submission.exercise_slug)[:HISTORY_LENGTH],
        "own": submission.student_id == request.user.pk,
    }
    return render(request, "grading/submission_detail.html", context)


@login_required
@require_GET
def submission_status(request: HttpRequest, submission_id: int) -> JsonResponse:
    """Small and cheap: polled every half second while a submission waits or runs."""
    submission = _submission_or_404(request, submission_id)
    payload = {
        "id": submission.pk,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "finished": submission.is_finished,
        "score": submission.score,
        "passed": submission.passed,
    }
    if submission.is_finished:
        payload["result_url"] = reverse("grading:submission_result", kwargs={"submission_id": submission.pk})
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def submission_result(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The rendered result fragment, swapped into the page once grading is done."""
    submission = _submission_or_404(request, submission_id)
    if is_challenge_entry(submission):
        return render(request, "grading/_challenge_result.html", views_challenge.entry_context(submission))
    return render(request, "grading/_result.html", _result_context(submission))


def _exercises_for_instructor(user) -> dict:
    """The folder exercises, then the published instructor exercises the user writes or was shared."""
    return {**EXERCISES, **{exercise.slug: exercise for exercise in published_for_student(user)}}


@instructor_required
@require_GET
def instructor_submissions(request: HttpRequest) -> HttpResponse:
    exercise_slug = request.GET.get("exercise", "").strip()
    username = request.GET.get("student", "").strip()
    submissions = submissions_for_instructor(
        viewer=request.user, exercise_slug=exercise_slug, username=username
    )
    context = {
        "submissions": submissions[:INSTRUCTOR_PAGE_SIZE],
        "total": submissions.count(),
        "page_size": INSTRUCTOR_PAGE_SIZE,
        "exercises": _exercises_for_instructor(request.user),
        "selected_exercise": exercise_slug,
        "selected_student": username,
    }
    return render(request, "grading/instructor_submissions.html", context)


@instructor_required
@require_GET
def instructor_diagnoses(request: HttpRequest) -> HttpResponse:
    by_exercise = common_diagnoses(viewer=request.user)
    rows = [
        {"exercise": exercise, "diagnoses": by_exercise.get(slug, [])}
        for slug, exercise in _exercises_for_instructor(request.user).items()
    ]
    return render(request, "grading/instructor_diagnoses.html", {"rows": rows})
