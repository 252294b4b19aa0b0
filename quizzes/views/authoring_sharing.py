"""The bank owner's sharing page: who else may edit (co-authors) or view the bank.

`sharing_page` also serves the course sharing page: the two differ only in what is shared.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import instructor_required
from quizzes.forms_sharing import ShareForm
from quizzes.services.access import OWN, get_bank_for_user
from quizzes.services.sharing import ShareError, bank_share_remove, bank_share_set


def sharing_page(
    request: HttpRequest,
    shared: dict[str, Any],
    share_set: Callable[..., Any],
    share_remove: Callable[..., bool],
    back: HttpResponse,
    template: str,
) -> HttpResponse:
    """List the shares of the one thing `shared` names (e.g. {"bank": bank}), remove one (POST
    `remove`) or add one (the share form), through that thing's `share_set` and `share_remove`
    services; `back` is the redirect to this page after a change."""
    form = ShareForm()
    if request.method == "POST" and request.POST.get("remove"):
        try:
            removed = share_remove(**shared, user_id=int(request.POST["remove"]))
        except ValueError:
            removed = False
        if removed:
            messages.success(request, "No longer shared with that person.")
        return back
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                added = share_set(**shared, **form.cleaned_data)
            except ShareError as error:
                form.add_error("username", str(error))
            else:
                messages.success(request, f"Shared with {added.user.username} ({added.get_role_display()}).")
                return back
    (thing,) = shared.values()
    context = {**shared, "form": form, "shares": thing.shares.select_related("user")}
    return render(request, template, context, status=400 if form.errors else 200)


@instructor_required
@require_http_methods(["GET", "POST"])
def bank_sharing(request, slug: str):
    bank = get_bank_for_user(request.user, slug, to=OWN)
    back = redirect("quizzes:author_bank_sharing", slug=bank.slug)
    template = "quizzes/author_bank_sharing.html"
    return sharing_page(request, {"bank": bank}, bank_share_set, bank_share_remove, back, template)
