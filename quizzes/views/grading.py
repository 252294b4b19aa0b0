"""The quiz owner's "needs grading" queue: essays of finished attempts waiting for a score.

A course's teachers have the same queue, narrowed to their course, in `courses.views`; both render
`quizzes/grading_queue.html` and save through `grade_posted`. The work is in
`quizzes.services.manual_grading`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import instructor_required
from quizzes.forms_grading import GradeForm
from quizzes.models import AttemptItem
from quizzes.services.access import EDIT, get_quiz_for_user
from quizzes.services.manual_grading import (
    GradingError,
    grade_answer,
    graded,
    grading_rows,
    hand_graded_items,
    waiting,
)

GRADED_SHOWN = 50  # the latest graded answers listed for a change of grade


def grade_posted(request: HttpRequest, items: QuerySet[AttemptItem], attempt_item_id: int) -> None:
    """Save the posted grade of one answer of `items` (404 for any other); the result as a message."""
    attempt_item = get_object_or_404(items, pk=attempt_item_id)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not saved: {form.error_text()}")
        return
    try:
        grade_answer(
            attempt_item=attempt_item,
            score=form.fraction(),
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except GradingError as error:
        messages.error(request, f"Not saved: {error}")
    else:
        messages.success(request, f"Grade saved: {form.cleaned_data['score']:g} %.")


def queue_page(
    request: HttpRequest,
    items: QuerySet[AttemptItem],
    context: dict,
    action: Callable[[int], str],
    template: str = "quizzes/grading_queue.html",
) -> HttpResponse:
    """The answers of `items` still waiting (or, with `?show=graded`, the latest graded ones, to change
    a grade); `action(attempt item id)` is where each grade posts. `template` extends
    quizzes/grading_queue.html (a course's page puts its own navigation on top)."""
    show_graded = request.GET.get("show") == "graded"
    chosen = graded(items)[:GRADED_SHOWN] if show_graded else waiting(items)
    rows = [(row, action(row.attempt_item.pk)) for row in grading_rows(chosen)]
    context = {**context, "rows": rows, "show_graded": show_graded, "waiting_count": waiting(items).count()}
    return render(request, template, context)


@instructor_required
@require_GET
def quiz_grading(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_quiz_for_user(request.user, slug, to=EDIT)
    context = {"heading": f"Needs grading · {quiz.title}", "quiz": quiz}

    def action(pk: int) -> str:
        return reverse("quizzes:author_quiz_grade", kwargs={"slug": quiz.slug, "attempt_item_id": pk})

    return queue_page(request, hand_graded_items().filter(attempt__quiz=quiz), context, action)


@instructor_required
@require_POST
def quiz_grade(request: HttpRequest, slug: str, attempt_item_id: int) -> HttpResponse:
    quiz = get_quiz_for_user(request.user, slug, to=EDIT)
    grade_posted(request, hand_graded_items().filter(attempt__quiz=quiz), attempt_item_id)
    return redirect("quizzes:author_quiz_grading", slug=quiz.slug)
