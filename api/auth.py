"""Who is calling: a bearer token (`Authorization: Bearer dsc_...`), or the site's session.

A few read-only endpoints also take an LMS's service token (`SERVICE_AUTH`): it stands for no
person, only for the one course it was issued for (`request.service_course_id`), and every other
endpoint refuses it as an unknown token. The tokens live in the LTI app, which the API reaches only
through `settings.API_SERVICE_TOKEN_LOOKUP` (a function: token -> course id or None).

The session serves same-site browser code: it needs Django's CSRF token (the `X-CSRFToken` header)
for every unsafe method, as the site's forms do. A bearer token is never sent by a browser on its
own, so requests carrying one need no CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from api.services.tokens import user_for_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            # A presented token that does not work is refused outright, never replaced by the session.
            raise AuthenticationError()
        request.user = user  # what the services and the throttles read
        return user


class SessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)  # also tells the docs page to send the CSRF token

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check waits for `authenticate`: an anonymous caller should hear 401, not "CSRF failed".
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403, "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."
            )
        return request.user


class ServicePrincipal:
    """An LMS calling with a service token: no user, one course."""

    def __init__(self, course_id: int) -> None:
        self.course_id = course_id


def service_course_for(token: str) -> int | None:
    path = getattr(settings, "API_SERVICE_TOKEN_LOOKUP", "")
    return import_string(path)(token) if path else None


class ServiceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        course_id = service_course_for(token.strip())
        if course_id is None:
            return None  # not a service token: the per-user token check decides
        request.user = AnonymousUser()  # whatever session came along, the token speaks for no person
        request.service_course_id = course_id  # type: ignore[attr-defined]
        return ServicePrincipal(course_id)


def service_course_id(request: HttpRequest) -> int | None:
    """The course a service token limits this request to, or None for a person's request."""
    return getattr(request, "service_course_id", None)


AUTH = [TokenAuth(), SessionAuth()]
# The endpoints an LMS may read with its service token (course-scoped, read-only).
SERVICE_AUTH = [ServiceTokenAuth(), *AUTH]
