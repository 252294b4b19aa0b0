"""Instructor pages that treat a bank as a whole: validate, import and export."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.roles import instructor_required
from quizzes.forms_authoring import BANK_FORMATS, ExportForm, ImportForm
from quizzes.models import Bank
from quizzes.services.bank_export import export_filename, export_losses
from quizzes.services.bank_overview import bank_validate_and_remember
from quizzes.services.banks import bank_export, bank_import

EXPORT_CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "moodle-xml": "application/xml; charset=utf-8",
    "gift": "text/plain; charset=utf-8",
}


@instructor_required
def bank_validate_view(request, slug: str):
    bank = get_object_or_404(Bank, slug=slug)
    problems = bank_validate_and_remember(bank)
    return render(request, "quizzes/author_bank_validate.html", {"bank": bank, "problems": problems})


@instructor_required
def bank_import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None, initial={"bank": request.GET.get("bank")})
    report = None
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["bank"]
        report = bank_import(
            text=form.cleaned_data["text"],
            fmt=form.cleaned_data["fmt"],
            filename=form.cleaned_data["filename"],
            bank_slug=target.slug if target else None,
            owner=request.user,
            replace=form.cleaned_data["replace"],
        )
    status = 400 if report is not None and not report.ok else 200
    return render(request, "quizzes/author_import.html", {"form": form, "report": report}, status=status)


@instructor_required
def bank_export_view(request, slug: str):
    bank = get_object_or_404(Bank, slug=slug)
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
