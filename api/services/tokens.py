"""Creating, checking and revoking API tokens.

The token format and its storage as a digest are `accounts.tokens`'s. The plain token exists only in
the value `token_create` returns; the database keeps its digest and its first characters.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.tokens import Issued, mint, note_used, presented, revoke_once, token_name
from api.models import ApiToken

TOKEN_PREFIX = "dsc_"
MAX_ACTIVE_TOKENS = 20


class TokenRefused(ValueError):
    """The token cannot be created; the message says why."""


NewToken = Issued[ApiToken]


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_create(*, user, name: str) -> NewToken:
    name = token_name(
        name, missing="Give the token a name, so you can tell it apart later.", refused=TokenRefused
    )
    if tokens_of(user).filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(
            f"You already have {MAX_ACTIVE_TOKENS} active tokens: revoke one you no longer use."
        )
    minted = mint(TOKEN_PREFIX)
    token = ApiToken.objects.create(user=user, name=name, prefix=minted.shown_prefix, digest=minted.digest)
    return NewToken(token=token, plain=minted.plain)


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (404 for anyone else's); revoking twice changes nothing."""
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    revoke_once(token)
    return token


def user_for_token(plain: str):
    """The active user a presented token belongs to, or None (unknown, revoked, or user inactive)."""
    token = presented(ApiToken.objects.select_related("user"), plain, TOKEN_PREFIX)
    if token is None or not token.user.is_active:
        return None
    note_used(token)
    return token.user
