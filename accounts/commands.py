"""What the import commands of several apps share about people named on the command line."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError


def import_owner(username: str | None) -> AbstractBaseUser | None:
    """The user an import's `--owner` names, None when it names nobody; CommandError for an unknown name."""
    if not username:
        return None
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise CommandError(f"No user named {username!r}; nothing was imported.")
    return owner
