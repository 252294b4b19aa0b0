"""An import previewed on the page waits here until the instructor confirms it.

The previewed file is kept in the cache under a random token bound to the instructor, so the confirm
step imports exactly the file that was previewed, without sending it again; a token is used once.
"""

import secrets
from typing import Any

from django.core.cache import cache

# Long enough to read a long preview; the file is uploaded again after that.
PREVIEW_SECONDS = 60 * 60


def _key(user_id: int, token: str) -> str:
    return f"bank-import-preview:{user_id}:{token}"


def stash_import(*, user_id: int, payload: dict[str, Any]) -> str:
    """Keep an import's arguments (text, fmt, filename, bank_slug, replace); returns its token."""
    token = secrets.token_urlsafe(24)
    cache.set(_key(user_id, token), payload, PREVIEW_SECONDS)
    return token


def take_import(*, user_id: int, token: str) -> dict[str, Any] | None:
    """The import kept under `token` for this user, once; None when unknown, used or expired."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    key = _key(user_id, token)
    payload = cache.get(key)
    cache.delete(key)
    return payload if isinstance(payload, dict) else None
