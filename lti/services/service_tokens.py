"""LTI service tokens: the LMS's own read-only key to one connected course's results in the JSON API.

A token is `dsl_` and 32 random bytes (URL-safe base64); like the per-user API tokens only its
SHA-256 digest is kept (`accounts.tokens` holds what the two kinds share). The JSON API learns of
these tokens through `settings.API_SERVICE_TOKEN_LOOKUP` (this module's `course_for_token`), so the
two apps stay independent of each other.
"""

from __future__ import annotations

from django.http import Http404

from accounts.tokens import Issued, mint, note_used, presented, revoke_once, token_name
from lti.models import PlatformContext, ServiceToken

TOKEN_PREFIX = "dsl_"
MAX_ACTIVE_PER_CONTEXT = 5


class ServiceTokenRefused(ValueError):
    """The token cannot be issued; the message says why."""


IssuedToken = Issued[ServiceToken]  # shown to staff once, never stored


def service_token_issue(*, context: PlatformContext, name: str, issued_by) -> IssuedToken:
    name = token_name(name, missing="Give the token a name: who will use it.", refused=ServiceTokenRefused)
    if context.service_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_PER_CONTEXT:
        raise ServiceTokenRefused(
            f"This LMS course already has {MAX_ACTIVE_PER_CONTEXT} active tokens: revoke one first."
        )
    minted = mint(TOKEN_PREFIX)
    token = ServiceToken.objects.create(
        context=context, name=name, prefix=minted.shown_prefix, digest=minted.digest, created_by=issued_by
    )
    return IssuedToken(token=token, plain=minted.plain)


def service_token_revoke(*, token_id: int) -> ServiceToken:
    """Revoke a token (revoking twice changes nothing); 404 for an unknown id."""
    token = ServiceToken.objects.filter(pk=token_id).select_related("context").first()
    if token is None:
        raise Http404("No such service token.")
    revoke_once(token)
    return token


def course_for_token(plain: str) -> int | None:
    """The id of the one Descent course a presented service token may read, or None: unknown,
    revoked, or its platform's registration switched off."""
    token = presented(ServiceToken.objects.select_related("context__tool"), plain, TOKEN_PREFIX)
    if token is None or not token.context.tool.is_active:
        return None
    note_used(token)
    return token.context.course_id
