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


def bank_share_set(*, bank: Bank, username: str, role: str) -> BankShare:
    """Share the bank with an instructor as co-author or viewer (changing the role if already shared)."""
    if role not in ShareRole.values:
        raise ShareError("Choose co-author or viewer.")
    user = share_target(username=username, owner_id=bank.owner_id)
    with transaction.atomic():
        share, _ = BankShare.objects.update_or_create(bank=bank, user=user, defaults={"role": role})
    return share


def bank_share_remove(*, bank: Bank, user_id: int) -> bool:
    deleted, _ = BankShare.objects.filter(bank=bank, user_id=user_id).delete()
    return bool(deleted)
