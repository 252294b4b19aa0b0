"""Who may reach a bank: the access levels and the bank queryset every authoring fetch starts from.

Courses (shared the same way) and quizzes (owned only) are scoped by the same `owned_or_shared`.

Kept apart from `quizzes.services.access` (which also closes expired attempts) so that the item
draw can scope banks without importing the attempt service.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from quizzes.models import Bank, ShareRole

VIEW, EDIT, OWN = "view", "edit", "own"
SHARE_ROLES = {VIEW: [ShareRole.VIEWER, ShareRole.EDITOR], EDIT: [ShareRole.EDITOR], OWN: []}


def check_level(to: str) -> None:
    if to not in SHARE_ROLES:
        raise ValueError(f"unknown access level {to!r}; use 'view', 'edit' or 'own'")


def owned_or_shared[M: Model](model: type[M], user, to: str) -> QuerySet[M]:
    """The rows of a model with an `owner` and `shares` (banks, courses) that `user` reaches for `to`.

    Owned ones and those shared with a fitting role; all of them for superusers, none for anonymous users.
    """
    check_level(to)
    if not user.is_authenticated:
        return model._default_manager.none()
    if user.is_superuser:
        return model._default_manager.all()
    roles = SHARE_ROLES[to]
    if not roles:
        return model._default_manager.filter(owner=user)
    shared = model._default_manager.filter(shares__user=user, shares__role__in=roles).values("pk")
    return model._default_manager.filter(Q(owner=user) | Q(pk__in=shared))


def banks_for_user(user, *, to: str = VIEW) -> QuerySet[Bank]:
    """The banks `user` may reach for `to`: owned, shared with a fitting role, or all for superusers."""
    return owned_or_shared(Bank, user, to)
