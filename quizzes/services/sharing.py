"""Sharing a bank: the owner adds co-authors (may edit) and viewers (may view, preview, export).

Courses share the same way (`courses.services.courses`); both go through `share_target`, which
finds the instructor a username names.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.roles import is_instructor
from quizzes.models import Bank, BankShare, ShareRole


class ShareError(Exception):
    """The share cannot be made; the message says why."""


def share_target(*, username: str, owner_id: int | None):
    """The instructor named `username`, to share with; ShareError for anyone else."""
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None or not is_instructor(user):
        raise ShareError(f"No instructor is called “{username.strip()}”.")
    if user.pk == owner_id:
        raise ShareError("The owner already has every right.")
    return user


def share_set(share_model, *, owner_id: int | None, username: str, role: str, **shared):
    """Share what `shared` names (e.g. bank=...) with an instructor through `share_model`
    (a share model with `user` and `role`), changing the role if already shared."""
    if role not in ShareRole.values:
        raise ShareError("Choose co-author or viewer.")
    user = share_target(username=username, owner_id=owner_id)
    with transaction.atomic():
        share, _ = share_model.objects.update_or_create(user=user, defaults={"role": role}, **shared)
    return share


def share_remove(share_model, *, user_id: int, **shared) -> bool:
    """Stop sharing what `shared` names with that user; whether there was such a share."""
    deleted, _ = share_model.objects.filter(user_id=user_id, **shared).delete()
    return bool(deleted)


def bank_share_set(*, bank: Bank, username: str, role: str) -> BankShare:
    """Share the bank with an instructor as co-author or viewer (changing the role if already shared)."""
    return share_set(BankShare, owner_id=bank.owner_id, username=username, role=role, bank=bank)


def bank_share_remove(*, bank: Bank, user_id: int) -> bool:
    return share_remove(BankShare, user_id=user_id, bank=bank)
