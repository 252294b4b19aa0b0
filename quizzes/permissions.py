"""Who may reach a bank: the access levels and the bank queryset every authoring fetch starts from.

Kept apart from `quizzes.services.access` (which also closes expired attempts) so that the item
draw can scope banks without importing the attempt service.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from quizzes.models import Bank, ShareRole

VIEW, EDIT, OWN = "view", "edit", "own"
SHARE_ROLES = {VIEW: [ShareRole.VIEWER, ShareRole.EDITOR], EDIT: [ShareRole.EDITOR], OWN: []}


def check_level(to: str) -> None:
    if to not in SHARE_ROLES:
        raise ValueError(f"unknown access level {to!r}; use 'view', 'edit' or 'own'")


def banks_for_user(user, *, to: str = VIEW) -> QuerySet[Bank]:
    """The banks `user` may reach for `to`: owned, shared with a fitting role, or all for superusers."""
    check_level(to)
    if not user.is_authenticated:
        return Bank.objects.none()
    if user.is_superuser:
        return Bank.objects.all()
    shared = Q(shares__user=user, shares__role__in=SHARE_ROLES[to]) if SHARE_ROLES[to] else Q(pk__in=[])
    return Bank.objects.filter(Q(owner=user) | shared).distinct()
