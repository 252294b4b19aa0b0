"""The form of the pages where tokens are issued (a user's API tokens, staff's LMS service tokens).
Each app's view passes its form, its issuing service and the error that service refuses with."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest


def issue_from_form[T](
    request: HttpRequest,
    form_class: type[forms.Form],
    issue: Callable[[dict[str, Any]], T],
    refused: type[Exception],
) -> tuple[forms.Form, T | None, int]:
    """The page's form, what a valid POST issued through `issue(cleaned_data)` (else None) and the
    page's status. A `refused` error goes onto the name field; once a token is issued the form is
    blank again; a POST that issued nothing answers 400."""
    form = form_class(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = issue(form.cleaned_data)
        except refused as error:
            form.add_error("name", str(error))
        else:
            form = form_class()
    status = 400 if request.method == "POST" and issued is None else 200
    return form, issued, status
