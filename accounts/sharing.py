"""Sharing something an instructor owns with other instructors: the roles, the share record every
shared thing's share model builds on, and the services that add and remove shares.

Banks (quizzes), courses (courses) and instructor-written exercises (grading) are shared the same
way: the owner gives another instructor the "editor" role (may edit) or the "viewer" role (may view,
preview, export). Each app keeps its own concrete share model (`BankShare`, `CourseShare`,
`AuthoredExerciseShare`) built on `Share`, and calls `share_set` / `share_remove` with it. The
page that lists and changes the shares is `accounts.sharing_page.sharing_page`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q

from accounts.roles import is_instructor

VIEW, EDIT, OWN = "view", "edit", "own"


class ShareRole(models.TextChoices):
    """What a person the owner shared a bank, a course or an exercise with may do there."""

    EDITOR = "editor", "Co-author (may edit)"
    VIEWER = "viewer", "Viewer (may view, preview, export, see statistics)"


# The share roles that grant each access level ("own" is the owner's alone).
SHARE_ROLES = {VIEW: [ShareRole.VIEWER, ShareRole.EDITOR], EDIT: [ShareRole.EDITOR], OWN: []}


def check_level(to: str) -> None:
    if to not in SHARE_ROLES:
        raise ValueError(f"unknown access level {to!r}; use 'view', 'edit' or 'own'")


def owned_or_shared_q(user, to: str) -> Q:
    """A filter on a shared model (with `owner` and `shares`) for the rows `user` reaches for `to`."""
    check_level(to)
    roles = SHARE_ROLES[to]
    shared = Q(shares__user=user, shares__role__in=roles) if roles else Q(pk__in=[])
    return Q(owner=user) | shared


def access_of(user, thing) -> dict[str, bool]:
    """What `user` may do with a shared thing they reached (with `owner_id` and `shares`)."""
    if not getattr(user, "is_authenticated", False):
        return {"view": False, "edit": False, "own": False}
    if user.is_superuser or thing.owner_id == user.pk:
        return {"view": True, "edit": True, "own": True}
    role = thing.shares.filter(user=user).values_list("role", flat=True).first()
    return {"view": role is not None, "edit": role == ShareRole.EDITOR, "own": False}


class Share(models.Model):
    """What a share of a bank, a course or an exercise has in common: a role and when it was given.

    A concrete share adds `user` and the foreign key named by `shared_field` to what is shared.
    """

    role = models.CharField(max_length=8, choices=ShareRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    shared_field = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        user = self.user  # type: ignore[attr-defined]  # every concrete share has its user
        return f"{user} {self.role} of {getattr(self, self.shared_field)}"


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
