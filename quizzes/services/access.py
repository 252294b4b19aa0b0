"""Every permission-checked fetch of quiz data for the student pages, in one place.

A student reaches only their own attempts; anything else is a 404 (not a 403), so attempt ids
of other students cannot even be probed. Fetching an attempt also closes it if its deadline has
passed, which is how a timed attempt ends without a background job.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from quizzes.models import Attempt, AttemptItem, Quiz
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
    """One item of the user's own attempt, by its position in the attempt; 404 otherwise."""
    attempt = get_attempt_for_user(user, attempt_id)
    attempt_item = get_object_or_404(
        AttemptItem.objects.select_related("item__bank"), attempt=attempt, position=position
    )
    attempt_item.attempt = attempt  # reuse the already checked (and possibly just closed) attempt
    return attempt_item
