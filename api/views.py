"""The page where a signed-in user makes, names and revokes their API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.token_page import issue_from_form
from api.forms import TokenForm
from api.services.tokens import TokenRefused, token_create, token_revoke, tokens_of


@never_cache  # the page right after creation holds the token: no cache may keep it
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form, created, status = issue_from_form(
        request, TokenForm, lambda data: token_create(user=request.user, name=data["name"]), TokenRefused
    )
    context = {"form": form, "created": created, "tokens": tokens_of(request.user)}
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_revoke(user=request.user, token_id=token_id)
    messages.success(request, f"The token “{token.name}” is revoked: requests that send it are refused.")
    return redirect("api:tokens")
