"""Student quiz pages. Thin: the rules live in quizzes.services.attempts, the page data in
quizzes.services.pages, and every permission-checked fetch in quizzes.services.access."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.engine import preview_expression as engine_preview
from quizzes.engine.kinds import ItemKind
from quizzes.engine.result import INVALID, Widget
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.services.access import get_attempt_for_user, get_attempt_item_for_user, get_published_quiz
from quizzes.services.attempts import (
    AttemptClosed,
    AttemptError,
    attempt_answer,
    attempt_finish,
    attempt_save_draft,
    attempt_start,
    penalty_factor,
    unanswered_positions,
)
from quizzes.services.manual_grading import pending_count
from quizzes.services.pages import (
    attempt_progress,
    item_panels,
    page_items,
    quiz_summaries,
    quiz_summary,
    rendered_item,
)
from quizzes.services.responses import MAX_TEXT_LENGTH, MOVE_FIELD, ORDER_FIELD, reorder, response_from_form
from throttling import check, retry_after, throttle


def quiz_list(request: HttpRequest) -> HttpResponse:
    # Creation order is the order the course file lists them in: warm-up first, checkpoint last.
    quizzes = Quiz.objects.filter(published=True).order_by("created_at", "title")
    summaries = quiz_summaries(quizzes, request.user)
    return render(request, "quizzes/quiz_list.html", {"summaries": summaries})


def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    summary = quiz_summary(get_published_quiz(slug), request.user)
    return render(request, "quizzes/quiz_detail.html", {"summary": summary, "quiz": summary.quiz})


@login_required
@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_published_quiz(slug)
    try:
        attempt = attempt_start(quiz=quiz, student=request.user)
    except AttemptError as error:
        messages.error(request, str(error))
        return redirect("quizzes:detail", slug=quiz.slug)
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _item_url(attempt: Attempt, position: int, *, anchor: str = "item") -> str:
    url = reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk})
    if attempt.quiz.one_item_per_page:
        url += f"?item={position}"
    return f"{url}#{anchor}-{position}"


def _attempt_page(
    request: HttpRequest,
    attempt: Attempt,
    *,
    position: int | None = None,
    drafts: dict[int, Any] | None = None,
    errors: dict[int, list[str]] | None = None,
) -> HttpResponse:
    attempt_items = page_items(attempt)
    progress = attempt_progress(attempt, attempt_items)
    positions = None
    if attempt.quiz.one_item_per_page and progress["positions"]:
        unanswered = [p for p in progress["positions"] if p not in progress["answered_positions"]]
        if position not in progress["positions"]:
            position = unanswered[0] if unanswered else progress["positions"][0]
        positions = [cast(int, position)]  # set just above when it was not a valid position
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "panels": item_panels(
            attempt, positions=positions, drafts=drafts, errors=errors, attempt_items=attempt_items
        ),
        "progress": progress,
        "current": position,
        "next_position": position + 1
        if position is not None and position + 1 in progress["positions"]
        else None,
        "previous_position": position - 1
        if position is not None and position - 1 in progress["positions"]
        else None,
    }
    return render(request, "quizzes/attempt.html", context)


@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = get_attempt_for_user(request.user, attempt_id)
    if attempt.status == AttemptStatus.FINISHED:
        return redirect("quizzes:review", attempt_id=attempt.pk)
    try:
        position = int(request.GET.get("item", ""))
    except ValueError:
        position = None
    return _attempt_page(request, attempt, position=position)


@login_required
@require_POST
def item_answer(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt_item = get_attempt_item_for_user(request.user, attempt_id, position)
    attempt = attempt_item.attempt
    if attempt.status == AttemptStatus.FINISHED:
        if attempt.deadline is not None and attempt.finished_at == attempt.deadline:
            messages.error(
                request, "Time is up: the attempt closed at its deadline, so this answer was not saved."
            )
        else:
            messages.error(request, "This attempt is finished; answers can no longer change.")
        return redirect("quizzes:review", attempt_id=attempt.pk)

    rendered = rendered_item(attempt_item)
    if rendered["input"] == Widget.ORDERING and MOVE_FIELD in request.POST:
        # The no-JavaScript reorder buttons: show the new order, answer nothing yet.
        order = reorder(request.POST.getlist(ORDER_FIELD), request.POST[MOVE_FIELD])
        return _attempt_page(request, attempt, position=position, drafts={position: order})

    response = response_from_form(rendered, request.POST)
    throttled = check(request, "answer")
    if throttled is not None:  # refused, but the typed answer stays in its box
        page = _attempt_page(
            request,
            attempt,
            position=position,
            drafts={position: response},
            errors={position: [f"{throttled.message} This answer was not sent yet."]},
        )
        page.status_code = 429
        return retry_after(page, throttled)
    try:
        result = attempt_answer(attempt_item=attempt_item, student=request.user, response=response)
    except AttemptClosed as error:
        messages.error(request, str(error))
        if attempt.status == AttemptStatus.FINISHED:
            return redirect("quizzes:review", attempt_id=attempt.pk)
        return redirect(_item_url(attempt, position))
    except AttemptError as error:
        messages.error(request, str(error))
        return redirect(_item_url(attempt, position))

    if result.status == INVALID:
        errors = result.feedback or ["That answer could not be read; please check it and try again."]
        return _attempt_page(
            request, attempt, position=position, drafts={position: response}, errors={position: errors}
        )
    # The page opens at the item's feedback, which quiz.js focuses (it has tabindex=-1).
    return redirect(_item_url(attempt, position, anchor="feedback"))


@login_required
@require_POST
@throttle("draft", json=True)
def item_draft(request: HttpRequest, attempt_id: int, position: int) -> JsonResponse:
    """Keep what the student typed so far (sent by quiz.js as they type); checks nothing."""
    attempt_item = get_attempt_item_for_user(request.user, attempt_id, position)
    rendered = rendered_item(attempt_item)
    response = response_from_form(rendered, request.POST)
    try:
        saved_at = attempt_save_draft(attempt_item=attempt_item, student=request.user, response=response)
    except AttemptClosed as error:
        return JsonResponse({"ok": False, "error": str(error), "closed": True}, status=409)
    except AttemptError as error:
        return JsonResponse({"ok": False, "error": str(error)}, status=400)
    local = timezone.localtime(saved_at)
    return JsonResponse({"ok": True, "saved_at": local.strftime("%H:%M"), "iso": local.isoformat()})


FINISH_CHECK_FIELD = "check"  # the no-JavaScript Finish button: show what is unanswered first


@login_required
@require_http_methods(["GET", "POST"])
def attempt_finish_view(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET (or POST from the plain Finish button): the confirm page listing unanswered items.
    POST without `check`: finish; drafts are checked and become answers."""
    attempt = get_attempt_for_user(request.user, attempt_id)
    if attempt.status == AttemptStatus.FINISHED:
        return redirect("quizzes:review", attempt_id=attempt.pk)
    if request.method == "GET" or FINISH_CHECK_FIELD in request.POST:
        unanswered = unanswered_positions(attempt)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"unanswered": unanswered, "total": attempt.attempt_items.count()})
        context = {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "unanswered": [(position, _item_url(attempt, position)) for position in unanswered],
            "progress": attempt_progress(attempt),
        }
        return render(request, "quizzes/attempt_finish.html", context)
    attempt_finish(attempt=attempt)
    return redirect("quizzes:review", attempt_id=attempt.pk)


@login_required
def attempt_review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = get_attempt_for_user(request.user, attempt_id)
    if attempt.status != AttemptStatus.FINISHED:
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "panels": item_panels(attempt),
        "penalty": 1 - penalty_factor(attempt.quiz, attempt.number),
        "awaiting_grading": pending_count(attempt),
    }
    return render(request, "quizzes/review.html", context)


@login_required
@require_GET
@throttle("preview", methods=("GET",), json=True)
def preview_expression(request: HttpRequest, attempt_id: int, position: int) -> JsonResponse:
    """Echo a typed expression as LaTeX before it counts (symbolic items only; reveals no key)."""
    attempt_item = get_attempt_item_for_user(request.user, attempt_id, position)
    if attempt_item.item.kind != ItemKind.SYMBOLIC:
        return _preview_refusal("This question takes no expression.", status=400)
    text = request.GET.get("text", "")
    if len(text) > MAX_TEXT_LENGTH:
        return _preview_refusal("That expression is too long.", status=400)
    if not text.strip():
        return _preview_refusal("", status=200)
    return JsonResponse(engine_preview(attempt_item.item_data(), text))


def _preview_refusal(error: str, *, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "latex": "", "error": error}, status=status)
