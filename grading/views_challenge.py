"""The optimizer challenge's pages. Thin: entries are submissions (grading.services.challenge),
scoring in grading.challenge, plots in grading.services.challenge_plots. The leaderboard is a
course's page (courses), since it reads enrolments."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from grading.challenge import CHALLENGE_TITLE
from grading.challenge.baselines import baseline_standings
from grading.challenge.content import starter_source, statement_md
from grading.models import Submission
from grading.services.challenge import challenge_entries_of, challenge_entry_create, last_challenge_source
from grading.services.challenge_plots import curve_plots_for
from grading.services.submissions import (
    SubmissionLimitReached,
    SubmissionRejected,
    editor_state,
    new_client_token,
)
from throttling import check, retry_after

logger = logging.getLogger("grading.views")


@login_required
@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        source = last_challenge_source(request.user) or starter_source()
        return _challenge_page(request, source, new_client_token())
    source = request.POST.get("source", "")
    token = request.POST.get("client_token", "")
    throttled = check(request, "submission")
    if throttled is not None:
        messages.error(request, f"{throttled.message} This code was not submitted; it is still below.")
        return retry_after(_challenge_page(request, source, token, status=429), throttled)
    try:
        entry = challenge_entry_create(student=request.user, source=source, client_token=token)
    except SubmissionLimitReached as error:
        messages.error(request, str(error))
        return _challenge_page(request, source, new_client_token(), status=429)
    except SubmissionRejected as error:
        messages.error(request, str(error))
        return _challenge_page(request, source, new_client_token(), status=400)
    except DatabaseError:
        logger.exception("storing a challenge entry failed")
        messages.error(
            request, "Your entry could not be stored: the database did not answer. Submit again in a moment."
        )
        return _challenge_page(request, source, token, status=503)
    return redirect("grading:submission", submission_id=entry.pk)


def _challenge_page(request, source: str, client_token: str, *, status: int = 200) -> HttpResponse:
    context = {
        "title": CHALLENGE_TITLE,
        "statement_md": statement_md(),
        "baselines": baseline_standings(),
        **editor_state(challenge_entries_of(request.user), source, client_token),
    }
    return render(request, "grading/challenge.html", context, status=status)


@login_required
@require_GET
def challenge_starter(request: HttpRequest) -> HttpResponse:
    return HttpResponse(starter_source(), content_type="text/plain; charset=utf-8")


def entry_context(submission: Submission) -> dict:
    """What the result fragment of a challenge entry needs (used by grading.views)."""
    return {
        "submission": submission,
        "verdict": submission.verdict,
        "curve_plots": curve_plots_for(submission),
    }
