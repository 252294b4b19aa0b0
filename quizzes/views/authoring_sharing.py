"""The bank owner's sharing page: who else may edit (co-authors) or view the bank."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import instructor_required
from quizzes.forms_sharing import ShareForm
from quizzes.services.access import OWN, get_bank_for_user
from quizzes.services.sharing import ShareError, bank_share_remove, bank_share_set


@instructor_required
@require_http_methods(["GET", "POST"])
def bank_sharing(request, slug: str):
    bank = get_bank_for_user(request.user, slug, to=OWN)
    form = ShareForm()
    if request.method == "POST" and request.POST.get("remove"):
        try:
            removed = bank_share_remove(bank=bank, user_id=int(request.POST["remove"]))
        except ValueError:
            removed = False
        if removed:
            messages.success(request, "No longer shared with that person.")
        return redirect("quizzes:author_bank_sharing", slug=bank.slug)
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                share = bank_share_set(bank=bank, **form.cleaned_data)
            except ShareError as error:
                form.add_error("username", str(error))
            else:
                messages.success(request, f"Shared with {share.user.username} ({share.get_role_display()}).")
                return redirect("quizzes:author_bank_sharing", slug=bank.slug)
    context = {"bank": bank, "form": form, "shares": bank.shares.select_related("user")}
    return render(request, "quizzes/author_bank_sharing.html", context, status=400 if form.errors else 200)
