"""Instructor pages for banks: list, create, edit, delete and the bank's item table.

Items and their preview live in `authoring_items`, validation and import/export in
`authoring_transfer`. Every view is instructor-only.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import instructor_required
from quizzes.forms_authoring import BankForm, ItemFilterForm
from quizzes.models import Bank, ItemKind, Topic
from quizzes.services.bank_overview import bank_rows
from quizzes.services.item_store import DeleteRefused, bank_attempt_count, bank_delete


@instructor_required
def author_banks(request):
    banks = list(Bank.objects.all())
    return render(request, "quizzes/author_banks.html", {"rows": bank_rows(banks)})


@instructor_required
def bank_create(request):
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bank = form.save(commit=False)
        bank.owner = request.user
        bank.save()
        messages.success(request, f"Bank “{bank.name}” created.")
        return redirect("quizzes:author_bank", slug=bank.slug)
    return render(request, "quizzes/author_bank_form.html", {"form": form, "bank": None})


@instructor_required
def bank_edit(request, slug: str):
    bank = get_object_or_404(Bank, slug=slug)
    form = BankForm(request.POST or None, instance=bank)
    if request.method == "POST" and form.is_valid():
        bank = form.save()
        messages.success(request, "Bank saved.")
        return redirect("quizzes:author_bank", slug=bank.slug)
    return render(request, "quizzes/author_bank_form.html", {"form": form, "bank": bank})


@instructor_required
def bank_delete_view(request, slug: str):
    bank = get_object_or_404(Bank, slug=slug)
    if request.method == "POST":
        try:
            bank_delete(bank)
        except DeleteRefused as exc:
            messages.error(request, str(exc))
            return redirect("quizzes:author_bank", slug=bank.slug)
        messages.success(request, f"Bank “{bank.name}” and its items were deleted.")
        return redirect("quizzes:author_banks")
    context = {"bank": bank, "item_count": bank.items.count(), "attempt_count": bank_attempt_count(bank)}
    return render(request, "quizzes/author_bank_delete.html", context)


@instructor_required
def bank_detail(request, slug: str):
    bank = get_object_or_404(Bank, slug=slug)
    filters = ItemFilterForm(request.GET or None)
    items = bank.items.prefetch_related("topics")
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            items = items.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["topic"]:
            items = items.filter(topics__slug=filters.cleaned_data["topic"])
    context = {
        "bank": bank,
        "items": items.distinct(),
        "filters": filters,
        "kinds": ItemKind.choices,
        "topics": Topic.objects.filter(items__bank=bank).distinct(),
    }
    return render(request, "quizzes/author_bank_detail.html", context)
