"""Instructor pages that treat a bank as a whole: validate, import and export."""

from typing import Any, cast

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.roles import instructor_required
from quizzes.forms_authoring import BANK_FORMATS, ExportForm, ImportForm
from quizzes.services.access import EDIT, banks_for_user, get_bank_for_user
from quizzes.services.bank_export import export_filename, export_losses
from quizzes.services.bank_overview import bank_validate_and_remember
from quizzes.services.banks import bank_export, bank_import, bank_import_preview
from quizzes.services.import_confirm import stash_import, take_import
from quizzes.services.import_jobs import DONE, job_state, runs_in_background, start_import, start_preview

EXPORT_CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "moodle-xml": "application/xml; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
}


@instructor_required
def bank_validate_view(request, slug: str):
    bank = get_bank_for_user(request.user, slug)
    problems = bank_validate_and_remember(bank)
    return render(request, "quizzes/author_bank_validate.html", {"bank": bank, "problems": problems})


def _import_form(request, data=None, files=None) -> ImportForm:
    form = ImportForm(data, files, initial={"bank": request.GET.get("bank")})
    # Only banks the user may edit can be chosen, and a file naming someone else's bank is refused.
    cast(forms.ModelChoiceField, form.fields["bank"]).queryset = banks_for_user(request.user, to=EDIT)
    return form


@instructor_required
def bank_import_view(request):
    """Upload, preview, confirm: a valid file is first shown per question (what is kept exactly, what
    changes, what is left out) and imported only when the instructor confirms; a file with problems is
    refused whole at the first step, with every problem located. A large file is read, checked and
    imported by a job whose page shows its progress (`services.import_jobs`)."""
    form = _import_form(
        request, None if "confirm" in request.POST else (request.POST or None), request.FILES or None
    )
    editable = banks_for_user(request.user, to=EDIT)

    def may_write(bank) -> bool:
        return editable.filter(pk=bank.pk).exists()

    context: dict = {"form": form, "report": None, "preview": None, "token": "", "expired": False}
    if request.method == "POST" and "confirm" in request.POST:
        payload = take_import(user_id=request.user.pk, token=request.POST.get("confirm", ""))
        if payload is None:
            context["expired"] = True
        elif runs_in_background(payload["text"]):
            return redirect(
                "quizzes:author_import_job", job_id=start_import(user=request.user, payload=payload)
            )
        else:
            context["report"] = bank_import(**payload, owner=request.user, may_write=may_write)
    elif request.method == "POST" and form.is_valid() and runs_in_background(form.cleaned_data["text"]):
        payload = {name: form.cleaned_data[name] for name in ("text", "fmt", "filename", "replace")}
        target = form.cleaned_data["bank"]
        payload["bank_slug"] = target.slug if target else None
        return redirect("quizzes:author_import_job", job_id=start_preview(user=request.user, payload=payload))
    elif request.method == "POST" and form.is_valid():
        target = form.cleaned_data["bank"]
        payload = {
            "text": form.cleaned_data["text"],
            "fmt": form.cleaned_data["fmt"],
            "filename": form.cleaned_data["filename"],
            "bank_slug": target.slug if target else None,
            "replace": form.cleaned_data["replace"],
        }
        report, preview = bank_import_preview(
            **{name: payload[name] for name in ("text", "fmt", "filename", "bank_slug", "replace")},
            may_write=may_write,
        )
        if preview is None:
            context["report"] = report
        else:
            context["preview"] = preview
            context["replace"] = payload["replace"]
            context["token"] = stash_import(user_id=request.user.pk, payload=payload)
    report = context["report"]
    status = 400 if context["expired"] or (report is not None and not report.ok) else 200
    return render(request, "quizzes/author_import.html", context, status=status)


@instructor_required
@require_GET
def bank_import_job_view(request, job_id: str):
    """A large import's progress, refreshing itself until the job ends; then its preview or report."""
    job = job_state(user_id=request.user.pk, job_id=job_id)
    if job is None:
        context: dict[str, Any] = {
            "form": _import_form(request),
            "report": None,
            "preview": None,
            "token": "",
            "expired": True,
        }
        return render(request, "quizzes/author_import.html", context, status=404)
    if not job.finished:
        return render(request, "quizzes/author_import_progress.html", {"job": job})
    context = {
        "form": _import_form(request),
        "report": job.report,
        "preview": job.preview,
        "token": job.confirm,
        "replace": job.replace,
        "expired": False,
        "job": job,
    }
    status = 200 if job.state == DONE and (job.report is None or job.report.ok) else 400
    return render(request, "quizzes/author_import.html", context, status=status)


@instructor_required
def bank_export_view(request, slug: str):
    bank = get_bank_for_user(request.user, slug)
    form = ExportForm(request.GET or None)
    if not form.is_valid():
        losses = export_losses(bank)
        rows = [
            {"fmt": fmt, "label": label, "skipped": [] if fmt == "yaml" else (losses or {}).get(fmt)}
            for fmt, label in BANK_FORMATS
        ]
        return render(request, "quizzes/author_export.html", {"bank": bank, "rows": rows})
    fmt = form.cleaned_data["fmt"]
    text = bank_export(bank=bank, fmt=fmt)
    response = HttpResponse(text, content_type=EXPORT_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(bank, fmt)}"'
    return response
