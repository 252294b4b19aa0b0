"""Bearer tokens kept only as their digest: minting, naming, finding a presented one, revoking.

A token is a fixed prefix (so it can be recognised in a leaked file) and 32 random bytes in URL-safe
base64. It carries as much entropy as a key, so a single SHA-256 is enough to store it: there is
nothing to brute-force that a slow hash would protect. Each app that hands out tokens keeps its own
model, built on `DigestToken`, and its own prefix; this module is the part they share.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

SHOWN_PREFIX_LENGTH = 10  # the prefix and six random characters
MAX_NAME_LENGTH = 100
MAX_PRESENTED_LENGTH = 200
# Writing `last_used_at` on every request would make each call a write; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class DigestToken(models.Model):
    """What every stored token keeps: its first characters and its digest, never the token itself."""

    # The first characters of the token, so its owner can tell tokens apart; not enough to use it.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Minted:
    plain: str  # shown to its owner once, never stored
    shown_prefix: str
    digest: str


@dataclass(frozen=True)
class Issued[T]:
    """A token just stored, with its plain value: shown to its owner once, never stored."""

    token: T
    plain: str


def digest_of(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8", errors="surrogatepass")).hexdigest()


def mint(prefix: str) -> Minted:
    plain = prefix + secrets.token_urlsafe(32)
    return Minted(plain=plain, shown_prefix=plain[:SHOWN_PREFIX_LENGTH], digest=digest_of(plain))


def token_name(name: str | None, *, missing: str, refused: type[Exception]) -> str:
    """The stripped name, or `refused` raised with `missing` (no name) or a too-long message."""
    name = (name or "").strip()
    if not name:
        raise refused(missing)
    if len(name) > MAX_NAME_LENGTH:
        raise refused(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    return name


def presented[T: DigestToken](tokens: QuerySet[T], plain: str, prefix: str) -> T | None:
    """The unrevoked token among `tokens` whose digest matches `plain`, or None."""
    if not plain or not plain.startswith(prefix) or len(plain) > MAX_PRESENTED_LENGTH:
        return None
    digest = digest_of(plain)
    token = tokens.filter(digest=digest, revoked_at__isnull=True).first()
    # The lookup is by digest; comparing again in constant time costs nothing and keeps timing flat.
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    return token


def note_used(token: DigestToken) -> None:
    """Record that `token` was just used, at most once per `LAST_USED_RESOLUTION`."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        type(token)._default_manager.filter(pk=token.pk).update(last_used_at=now)


def revoke_once(token: DigestToken) -> None:
    """Revoke `token`; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
