"""The pages instructors write exercises with. Thin: the rules live in grading.services.authoring,
the checks in grading.exercises.loader and grading.authoring.validation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import instructor_required
from accounts.sharing import EDIT, OWN, VIEW
from accounts.sharing_page import sharing_page
from grading.authoring.zipio import MAX_ZIP_BYTES, ZipRefused
from grading.cases import CASES
from grading.exercises import ExerciseFormatError
from grading.forms_authoring import ExerciseForm, ImportForm, PreviewForm, initial_from_content
from grading.grader import grade_source, grading_sandbox
from grading.sandbox.client import SandboxUnavailable
from grading.services.authoring import (
    AuthoringError,
    PublishRefused,
    authored_access,
    authored_create,
    authored_export,
    authored_import,
    authored_publish,
    authored_share_remove,
    authored_share_set,
    authored_unpublish,
    authored_update,
    authored_validate,
    content_from_row,
    draft_exercise,
    exercises_for_user,
    get_authored_for_user,
    is_validated,
)
from grading.services.plots import build_plots
from grading.services.submissions import SubmissionRejected, clean_source
from optimlab.problems import PROBLEMS

logger = logging.getLogger("grading.authoring")

SANDBOX_DOWN = (
    "The sandbox is not available on this server right now, so nothing could be run. Try again later."
)


def _form_errors(form, error: AuthoringError) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _suite_help() -> dict[str, Any]:
    return {
        "problems": [(p.name, p.title, p.dim, p.start.tolist(), p.stochastic) for p in PROBLEMS.values()],
        "cases": [(name, case.title, case.steps, case.purpose) for name, case in CASES.items()],
    }


@instructor_required
@require_GET
def author_exercises(request: HttpRequest) -> HttpResponse:
    rows = exercises_for_user(request.user).select_related("owner")
    return render(request, "grading/author_exercises.html", {"exercises": rows})


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_create(request: HttpRequest) -> HttpResponse:
    form = ExerciseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            row = authored_create(owner=request.user, slug=form.cleaned_data["slug"], content=form.content())
        except AuthoringError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Exercise saved. Validate it, then publish it for your students.")
            return redirect("grading:author_exercise", slug=row.slug)
    status = 400 if form.errors else 200
    context = {"form": form, "creating": True, **_suite_help()}
    return render(request, "grading/author_exercise_form.html", context, status=status)


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_edit(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=EDIT)
    if request.method == "POST":
        form = ExerciseForm(request.POST, editing=True)
        if form.is_valid():
            try:
                authored_update(exercise=row, content=form.content())
            except AuthoringError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, "Saved. Validate the exercise again before publishing this version."
                )
                return redirect("grading:author_exercise", slug=row.slug)
    else:
        form = ExerciseForm(initial=initial_from_content(content_from_row(row)), editing=True)
    context = {"form": form, "exercise": row, **_suite_help()}
    return render(request, "grading/author_exercise_form.html", context, status=400 if form.errors else 200)


@instructor_required
@require_GET
def author_exercise(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=VIEW)
    try:
        draft = draft_exercise(row)
        broken = ""
    except ExerciseFormatError as exc:
        draft, broken = None, str(exc)
    context = {
        "exercise": row,
        "draft": draft,
        "broken": broken,
        "access": authored_access(request.user, row),
        "validated": is_validated(row),
        "report": row.validation,
    }
    return render(request, "grading/author_exercise_detail.html", context)


@instructor_required
@require_POST
def author_exercise_validate(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=EDIT)
    try:
        with grading_sandbox() as sandbox:
            report = authored_validate(exercise=row, sandbox=sandbox)
    except SandboxUnavailable:
        logger.exception("validating exercise %s: no sandbox", row.slug)
        messages.error(request, SANDBOX_DOWN)
    else:
        if report["ok"]:
            messages.success(request, "Validation passed: the exercise can be published.")
        else:
            messages.error(request, "Validation failed: see what to change below.")
    return redirect("grading:author_exercise", slug=row.slug)


@instructor_required
@require_POST
def author_exercise_publish(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=EDIT)
    if request.POST.get("action") == "unpublish":
        authored_unpublish(exercise=row)
        messages.success(request, "Unpublished: students no longer see this exercise.")
        return redirect("grading:author_exercise", slug=row.slug)
    try:
        authored_publish(exercise=row)
    except PublishRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Published: students given this exercise now see this version.")
    return redirect("grading:author_exercise", slug=row.slug)


@dataclass(frozen=True)
class PreviewResult:
    """What the result fragment shows of a submission, for a preview that stores none."""

    verdict: dict[str, Any]
    status: str = "graded"
    pk: str = "preview"
    grading_error: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict.get("status") == "passed"

    @property
    def score(self) -> float | None:
        return self.verdict.get("score")

    def get_status_display(self) -> str:
        return "Graded"


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft as a student sees it; code sent here is graded in the sandbox and shown, never stored."""
    row = get_authored_for_user(request.user, slug, to=VIEW)
    try:
        draft = draft_exercise(row)
    except ExerciseFormatError as exc:
        messages.error(request, f"The draft cannot be previewed until it is fixed: {exc}")
        return redirect("grading:author_exercise", slug=row.slug)
    posted = request.method == "POST"
    form = PreviewForm(request.POST if posted else None, initial={"source": draft.starter_source})
    result, plots, status = None, [], 200
    if request.method == "POST" and form.is_valid():
        try:
            source = clean_source(form.cleaned_data["source"])
            with grading_sandbox() as sandbox:
                verdict = grade_source(draft.slug, source, sandbox=sandbox).to_dict()
        except SubmissionRejected as error:
            form.add_error("source", str(error))
            status = 400
        except SandboxUnavailable:
            logger.exception("previewing exercise %s: no sandbox", row.slug)
            messages.error(request, SANDBOX_DOWN)
            status = 503
        else:
            result = PreviewResult(verdict)
            plots = build_plots(draft.slug, verdict)
    elif form.errors:
        status = 400
    context = {
        "exercise": row,
        "draft": draft,
        "form": form,
        "submission": result,
        "verdict": result and result.verdict,
        "plots": plots,
    }
    return render(request, "grading/author_exercise_preview.html", context, status=status)


@instructor_required
@require_GET
def author_exercise_export(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=VIEW)
    try:
        data = authored_export(exercise=row)
    except AuthoringError as error:
        messages.error(request, f"The draft cannot be exported until it is fixed: {error}")
        return redirect("grading:author_exercise", slug=row.slug)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{row.slug}.zip"'
    return response


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_import(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_ZIP_BYTES:
            form.add_error(
                "file",
                f"The zip is {upload.size // 1024} KB; at most {MAX_ZIP_BYTES // 1024} KB is accepted.",
            )
        else:
            try:
                row = authored_import(
                    owner=request.user, data=upload.read(MAX_ZIP_BYTES + 1), slug=form.cleaned_data["slug"]
                )
            except ZipRefused as error:
                form.add_error("file", str(error))
            except AuthoringError as error:
                for name, message in error.errors.items():
                    form.add_error("slug" if name == "slug" else None, message)
            else:
                messages.success(request, "Imported. Validate it, then publish it for your students.")
                return redirect("grading:author_exercise", slug=row.slug)
    status = 400 if form.errors else 200
    return render(request, "grading/author_exercise_import.html", {"form": form}, status=status)


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_sharing(request: HttpRequest, slug: str) -> HttpResponse:
    row = get_authored_for_user(request.user, slug, to=OWN)
    back = redirect("grading:author_exercise_sharing", slug=row.slug)
    template = "grading/author_exercise_sharing.html"
    return sharing_page(request, {"exercise": row}, authored_share_set, authored_share_remove, back, template)
