"""Sharing a bank: the owner adds co-authors (may edit) and viewers (may view, preview, export).

Courses and exercises share the same way; the shared service is `accounts.sharing` (re-exported
here for the callers that know it by this name).
"""

from __future__ import annotations

from accounts.sharing import ShareError, share_remove, share_set, share_target
from quizzes.models import Bank, BankShare

__all__ = ["ShareError", "bank_share_remove", "bank_share_set", "share_remove", "share_set", "share_target"]


def bank_share_set(*, bank: Bank, username: str, role: str) -> BankShare:
    """Share the bank with an instructor as co-author or viewer (changing the role if already shared)."""
    return share_set(BankShare, owner_id=bank.owner_id, username=username, role=role, bank=bank)


def bank_share_remove(*, bank: Bank, user_id: int) -> bool:
    return share_remove(BankShare, user_id=user_id, bank=bank)
