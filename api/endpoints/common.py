from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.pagination import PageNumberPagination

from accounts.roles import is_instructor

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    """`?page=N&page_size=M` (at most 200); the answer is `{"items": [...], "count": total}`."""

    def __init__(self, **kwargs):
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


def instructors_only(request: HttpRequest) -> None:
    """Like the pages' `instructor_required`: students get 403 (then each fetch says 404 or not)."""
    if not is_instructor(request.user):
        raise PermissionDenied("Instructors only.")
