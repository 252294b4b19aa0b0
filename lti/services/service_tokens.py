"""LTI service tokens: the LMS's own read-only key to one connected course's results in the JSON API.

A token is `dsl_` and 32 random bytes (URL-safe base64); like the per-user API tokens only its
SHA-256 digest is kept, which is enough for a value with a key's entropy. The JSON API learns of
these tokens through `settings.API_SERVICE_TOKEN_LOOKUP` (this module's `course_for_token`), so the
two apps stay independent of each other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from lti.models import PlatformContext, ServiceToken

TOKEN_PREFIX = "dsl_"
SHOWN_PREFIX_LENGTH = 10
MAX_NAME_LENGTH = 100
MAX_ACTIVE_PER_CONTEXT = 5
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ServiceTokenRefused(ValueError):
    """The token cannot be issued; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    token: ServiceToken
    plain: str  # shown to staff once, never stored


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", errors="surrogatepass")).hexdigest()


def service_token_issue(*, context: PlatformContext, name: str, issued_by) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise ServiceTokenRefused("Give the token a name: who will use it.")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceTokenRefused(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    if context.service_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_PER_CONTEXT:
        raise ServiceTokenRefused(
            f"This LMS course already has {MAX_ACTIVE_PER_CONTEXT} active tokens: revoke one first."
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ServiceToken.objects.create(
        context=context,
        name=name,
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        digest=_digest(plain),
        created_by=issued_by,
    )
    return IssuedToken(token=token, plain=plain)


def service_token_revoke(*, token_id: int) -> ServiceToken:
    """Revoke a token (revoking twice changes nothing); 404 for an unknown id."""
    token = ServiceToken.objects.filter(pk=token_id).select_related("context").first()
    if token is None:
        raise Http404("No such service token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def course_for_token(plain: str) -> int | None:
    """The id of the one Descent course a presented service token may read, or None: unknown,
    revoked, or its platform's registration switched off."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    digest = _digest(plain)
    token = (
        ServiceToken.objects.select_related("context__tool")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest) or not token.context.tool.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.context.course_id
