"""Roles are Django groups; everything that asks "may this user author?" asks here."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

STUDENTS = "students"
INSTRUCTORS = "instructors"


def is_instructor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: templates ask this many times per page.
    cached = getattr(user, "_descent_is_instructor", None)
    if cached is None:
        cached = user.groups.filter(name=INSTRUCTORS).exists()
        user._descent_is_instructor = cached
    return cached


def instructor_required(view):
    """Login required, then 403 for anyone who is not an instructor."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied("Instructors only.")
        return view(request, *args, **kwargs)

    return wrapped
