"""The owner's sharing page, one for every shared thing (banks, courses, exercises): who else may
edit (co-authors) or view it. Each app's view fetches the thing for its owner and calls
`sharing_page` with its two share services and its template."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.sharing import ShareError, ShareRole


class ShareForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="The other instructor's username.")
    role = forms.ChoiceField(choices=ShareRole.choices, initial=ShareRole.VIEWER)


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
