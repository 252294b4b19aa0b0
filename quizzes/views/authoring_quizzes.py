"""Instructor pages for quizzes: list, create, edit (settings + rules), draw preview, delete.

Every view is instructor-only; the work is in `quizzes.services.quiz_authoring`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import instructor_required
from quizzes.forms_quizzes import QuizForm, RuleFormSet, rule_initial
from quizzes.models import Quiz
from quizzes.services.access import EDIT, OWN, banks_for_user, get_quiz_for_user, quizzes_for_user
from quizzes.services.quiz_authoring import (
    QuizDeleteRefused,
    draw_preview,
    quiz_attempt_count,
    quiz_delete,
    quiz_rows,
    quiz_rule_specs,
    quiz_save,
    quiz_unpublish,
    rule_checks,
    rule_warnings,
)

RULES_PREFIX = "rules"
DEFAULT_PREVIEW_SEED = 1


@instructor_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "quizzes/author_quiz_list.html", {"rows": quiz_rows(quizzes_for_user(request.user))}
    )


@instructor_required
def quiz_create(request: HttpRequest) -> HttpResponse:
    return _quiz_form_page(request, quiz=None)


@instructor_required
def quiz_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _quiz_form_page(request, quiz=get_quiz_for_user(request.user, slug, to=EDIT))


def _quiz_form_page(request: HttpRequest, *, quiz: Quiz | None) -> HttpResponse:
    """Settings and rules on one page; saved together or not at all."""
    initial_rules = rule_initial(quiz_rule_specs(quiz)) if quiz else []
    banks = {"banks": banks_for_user(request.user)}  # a rule draws only from banks the author may view
    if request.method == "POST":
        form = QuizForm(request.POST, instance=quiz)
        rules = RuleFormSet(request.POST, prefix=RULES_PREFIX, initial=initial_rules, form_kwargs=banks)
        if form.is_valid() and rules.is_valid():
            specs = rules.rule_specs()
            saved = quiz_save(quiz=form.save(commit=False), rules=specs, owner=request.user)
            messages.success(request, f"Quiz “{saved.title}” saved.")
            for warning in rule_warnings(specs, quiz=saved):
                messages.warning(request, warning)
            return redirect("quizzes:author_quiz", slug=saved.slug)
    else:
        form = QuizForm(instance=quiz)
        rules = RuleFormSet(prefix=RULES_PREFIX, initial=initial_rules, form_kwargs=banks)
    context = {
        "form": form,
        "rules": rules,
        "quiz": quiz,
        "attempt_count": quiz_attempt_count(quiz) if quiz else 0,
    }
    return render(request, "quizzes/author_quiz_form.html", context)


@instructor_required
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The quiz's settings, each rule with how many items match it, and a seeded draw preview."""
    quiz = get_quiz_for_user(request.user, slug)
    seed = _seed_from(request.GET.get("seed"))
    specs = quiz_rule_specs(quiz)
    checks = rule_checks(specs, quiz=quiz)
    drawn = draw_preview(specs=specs, seed=seed, quiz=quiz)
    context = {
        "quiz": quiz,
        "checks": checks,
        "drawn": drawn,
        "asked": sum(spec.count for spec in specs),
        "seed": seed,
        "next_seed": seed + 1,
        "attempt_count": quiz_attempt_count(quiz),
    }
    return render(request, "quizzes/author_quiz_detail.html", context)


def _seed_from(raw: str | None) -> int:
    # A hand-edited address with a bad seed falls back to the default instead of failing.
    try:
        return max(0, int(raw)) if raw is not None else DEFAULT_PREVIEW_SEED
    except ValueError:
        return DEFAULT_PREVIEW_SEED


@instructor_required
def quiz_delete_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete a quiz nobody has attempted; for one with attempts, offer (and do) unpublishing instead."""
    quiz = get_quiz_for_user(request.user, slug, to=OWN)
    if request.method == "POST" and request.POST.get("action") == "unpublish":
        quiz_unpublish(quiz=quiz)
        messages.success(request, f"Quiz “{quiz.title}” unpublished: students can no longer start it.")
        return redirect("quizzes:author_quiz", slug=quiz.slug)
    if request.method == "POST":
        try:
            quiz_delete(quiz=quiz)
        except QuizDeleteRefused as exc:
            messages.error(request, str(exc))
            return redirect("quizzes:author_quiz_delete", slug=quiz.slug)
        messages.success(request, f"Quiz “{quiz.title}” deleted.")
        return redirect("quizzes:author_quizzes")
    return render(
        request, "quizzes/author_quiz_delete.html", {"quiz": quiz, "attempt_count": quiz_attempt_count(quiz)}
    )
