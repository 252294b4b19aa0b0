"""Every permission-checked fetch of quiz data, in one place.

Students: a student reaches only their own attempts; anything else is a 404 (not a 403), so
attempt ids of other students cannot even be probed. Fetching an attempt also closes it if its
deadline has passed, which is how a timed attempt ends without a background job.

Authors: a bank belongs to its owner, who may share it with co-authors (who may edit it and its
items) and viewers (who may view, preview, try, validate and export it). A quiz belongs to its
owner alone. `to` names what the caller is about to do: "view", "edit", or "own" (delete, and
change who it is shared with). Superusers reach everything. Anyone else gets a 404, never a 403,
so nobody learns that another instructor's bank or quiz exists. Lists are scoped by the same
querysets the fetches use.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt, AttemptItem, Bank, Item, Quiz, ShareRole
from quizzes.permissions import EDIT, OWN, VIEW, banks_for_user, check_level, owned_or_shared
from quizzes.services.attempts import attempt_close_if_expired


def get_published_quiz(slug: str) -> Quiz:
    return get_object_or_404(Quiz, slug=slug, published=True)


def get_attempt_for_user(user, attempt_id: int) -> Attempt:
    """The user's own attempt (closed first if it has run out of time); 404 for anyone else's."""
    if not user.is_authenticated:
        raise Http404("No such attempt.")
    attempt = get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id, student_id=user.pk)
    attempt_close_if_expired(attempt=attempt)
    return attempt


def get_attempt_item_for_user(user, attempt_id: int, position: int) -> AttemptItem:
    """One item of the user's own attempt, by its position in the attempt; 404 otherwise.

    One query for the item, its attempt and quiz and its pinned version: every answer and every
    saved draft asks. The item itself is read only if something needs it (an unpinned row)."""
    if not user.is_authenticated:
        raise Http404("No such attempt.")
    attempt_item = get_object_or_404(
        AttemptItem.objects.select_related("attempt__quiz", "version"),
        attempt_id=attempt_id,
        attempt__student_id=user.pk,
        position=position,
    )
    attempt_close_if_expired(attempt=attempt_item.attempt)
    return attempt_item


# --- Authoring (the levels and `banks_for_user` live in quizzes.permissions) ------------------

__all__ = ["EDIT", "OWN", "VIEW", "banks_for_user"]


def get_bank_for_user(user, slug: str, *, to: str = VIEW) -> Bank:
    """The bank with this slug if `user` may reach it for `to`; 404 otherwise (also when it exists)."""
    return get_object_or_404(banks_for_user(user, to=to), slug=slug)


def get_item_for_user(user, slug: str, key: str, *, to: str = VIEW) -> Item:
    """An item, reached through its bank's permissions; 404 otherwise."""
    bank = get_bank_for_user(user, slug, to=to)
    item = get_object_or_404(Item.objects.prefetch_related("topics"), bank=bank, key=key)
    item.bank = bank
    return item


def bank_access(user, bank: Bank) -> dict[str, bool]:
    """What `user` may do with a bank they reached, for showing only the links that will work."""
    if user.is_superuser or bank.owner_id == user.pk:
        return {"view": True, "edit": True, "own": True}
    role = bank.shares.filter(user=user).values_list("role", flat=True).first()
    return {"view": role is not None, "edit": role == ShareRole.EDITOR, "own": False}


def quizzes_for_user(user, *, to: str = VIEW) -> QuerySet[Quiz]:
    """The quizzes `user` authors: their own (a quiz has no co-authors), or all for superusers."""
    check_level(to)
    return owned_or_shared(Quiz, user, OWN)  # nobody shares a quiz, so every level asks for ownership


def get_quiz_for_user(user, slug: str, *, to: str = VIEW) -> Quiz:
    return get_object_or_404(quizzes_for_user(user, to=to), slug=slug)
