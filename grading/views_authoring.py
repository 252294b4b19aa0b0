"""The pages instructors write exercises with. Thin: the rules live in grading.services.authoring,
the checks in grading.exercises.loader and grading.authoring.validation. Validation and preview are
queued for the grading workers (grading.services.queue_authoring); their pages wait for the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import instructor_required
from accounts.sharing import EDIT, OWN, VIEW
from accounts.sharing_page import sharing_page
from grading.authoring.zipio import MAX_ZIP_BYTES, ZipRefused
from grading.cases import CASES
from grading.exercises import ExerciseFormatError
from grading.forms_authoring import ExerciseForm, ImportForm, PreviewForm, initial_from_content
from grading.models import AuthoringJob
from grading.services.authoring import (
    AuthoringError,
    DeleteRefused,
    PublishRefused,
    authored_access,
    authored_create,
    authored_delete,
    authored_export,
    authored_import,
    authored_job,
    authored_publish,
    authored_request_preview,
    authored_request_validation,
    authored_share_remove,
    authored_share_set,
    authored_unpublish,
    authored_update,
    content_from_row,
    draft_exercise,
    exercise_use,
    exercises_for_user,
    get_authored_for_user,
    is_validated,
    job_exercise,
    report_is_current,
)
from grading.services.plots import build_plots
from grading.services.queue_authoring import JobRefused, jobs_ahead, pending_validation
from grading.services.submissions import SubmissionRejected, clean_source
from optimlab.problems import PROBLEMS

# How often a page waiting for a validation or a preview reloads itself (a meta refresh: no script needed).
REFRESH_SECONDS = 2
# A job that no worker has finished after this long stops the reloading (the page says to come back).
REFRESH_FOR_SECONDS = 10 * 60


def _refresh(job: AuthoringJob | None) -> int | None:
    """Seconds until the page reloads itself while `job` is pending; None once it is over, or given up."""
    if job is None or not job.is_pending:
        return None
    return (
        REFRESH_SECONDS if (timezone.now() - job.created_at).total_seconds() < REFRESH_FOR_SECONDS else None
    )


def _form_errors(form: ExerciseForm, error: AuthoringError) -> None:
    for name, message in error.errors.items():
        form.add_content_error(name, message)


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
    report = row.validation
    pending = pending_validation(row)
    context = {
        "exercise": row,
        "draft": draft,
        "broken": broken,
        "access": authored_access(request.user, row),
        "validated": is_validated(row),
        "report": report,
        "report_is_current": report_is_current(row),
        "pending": pending,
        "ahead": jobs_ahead(pending) if pending else 0,
        "refresh_seconds": _refresh(pending),
    }
    return render(request, "grading/author_exercise_detail.html", context)


@instructor_required
@require_POST
def author_exercise_validate(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a validation of the draft as it is now; the exercise's page waits for the result."""
    row = get_authored_for_user(request.user, slug, to=EDIT)
    try:
        job = authored_request_validation(exercise=row, user=request.user)
    except JobRefused as error:
        messages.error(request, str(error))
    else:
        if job is None:
            messages.error(request, "Validation failed: the draft is not a valid exercise; see below.")
        else:
            messages.info(
                request, "Validation queued: this page shows the result when a grading worker has run it."
            )
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
    """What the result fragment shows of a submission, for a preview (stored as a job, not a submission)."""

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
    """The draft as a student sees it. Code sent here is queued for a grading worker (never stored as
    a submission); `?job=<id>` shows that run: waiting (the page refreshes itself) or its result."""
    row = get_authored_for_user(request.user, slug, to=VIEW)
    try:
        draft = draft_exercise(row)
    except ExerciseFormatError as exc:
        messages.error(request, f"The draft cannot be previewed until it is fixed: {exc}")
        return redirect("grading:author_exercise", slug=row.slug)
    job = None
    if request.GET.get("job", "").isdigit():
        job = authored_job(request.user, row, int(request.GET["job"]), kind=AuthoringJob.Kind.PREVIEW)
    posted = request.method == "POST"
    initial_source = job.source if job is not None else draft.starter_source
    form = PreviewForm(request.POST if posted else None, initial={"source": initial_source})
    status = 200
    if posted and form.is_valid():
        try:
            source = clean_source(form.cleaned_data["source"])
            job = authored_request_preview(exercise=row, user=request.user, source=source)
        except SubmissionRejected as error:
            form.add_error("source", str(error))
        except JobRefused as error:
            form.add_error(None, str(error))
        else:
            url = reverse("grading:author_exercise_preview", kwargs={"slug": row.slug})
            return redirect(f"{url}?job={job.pk}")
    if form.errors:
        status = 400
    result, plots = None, []
    if job is not None and job.status == AuthoringJob.Status.DONE and job.result:
        result = PreviewResult(job.result)
        try:
            plots = build_plots(job_exercise(job).slug, job.result)
        except ExerciseFormatError:
            plots = []
    context = {
        "exercise": row,
        "draft": draft,
        "form": form,
        "job": job,
        "ahead": jobs_ahead(job) if job is not None and job.is_pending else 0,
        "refresh_seconds": None if posted else _refresh(job),
        "submission": result,
        "verdict": result and result.verdict,
        "plots": plots,
    }
    return render(request, "grading/author_exercise_preview.html", context, status=status)


@instructor_required
@require_http_methods(["GET", "POST"])
def author_exercise_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete an exercise (its owner only), unless a course assigns it or students submitted work on it."""
    row = get_authored_for_user(request.user, slug, to=OWN)
    if request.method == "POST":
        try:
            authored_delete(exercise=row)
        except DeleteRefused as error:
            messages.error(request, str(error))
            return redirect("grading:author_exercise", slug=row.slug)
        messages.success(request, f"Exercise “{row.title}” was deleted.")
        return redirect("grading:author_exercises")
    context = {"exercise": row, "use": exercise_use(row)}
    return render(request, "grading/author_exercise_delete.html", context)


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
