"""Creating, checking and revoking API tokens.

A token is 32 random bytes (URL-safe base64) behind a fixed prefix, so it can be recognised in a
leaked file. It carries as much entropy as a key, so a single SHA-256 is enough to store it: there
is nothing to brute-force that a slow hash would protect. The plain token exists only in the value
`token_create` returns; the database keeps its digest and its first characters.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from api.models import ApiToken

TOKEN_PREFIX = "dsc_"
SHOWN_PREFIX_LENGTH = 10  # "dsc_" and six random characters
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 20
# Writing `last_used_at` on every request would make each API call a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(ValueError):
    """The token cannot be created; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plain: str  # shown to its owner once, never stored


def digest_of(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", errors="surrogatepass")).hexdigest()


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_create(*, user, name: str) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise TokenRefused("Give the token a name, so you can tell it apart later.")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenRefused(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    if tokens_of(user).filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(
            f"You already have {MAX_ACTIVE_TOKENS} active tokens: revoke one you no longer use."
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plain[:SHOWN_PREFIX_LENGTH], digest=digest_of(plain)
    )
    return NewToken(token=token, plain=plain)


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (404 for anyone else's); revoking twice changes nothing."""
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(plain: str):
    """The active user a presented token belongs to, or None (unknown, revoked, or user inactive)."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    digest = digest_of(plain)
    token = ApiToken.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
    # The lookup is by digest; comparing again in constant time costs nothing and keeps timing flat.
    if token is None or not hmac.compare_digest(token.digest, digest) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
