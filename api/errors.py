"""The API's errors, all JSON with a `detail` sentence: 400 with the fields at fault, 401, 403, 404, 429."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from throttling import Throttled, check


class ApiThrottled(Exception):
    def __init__(self, throttled: Throttled):
        self.throttled = throttled
        super().__init__(throttled.message)


class Rejected(Exception):
    """Bad input found by a service (not by the schema): 400 with the service's own words."""

    def __init__(self, detail: str, **extra: object):
        self.detail = detail
        self.extra = extra
        super().__init__(detail)


def throttle(request: HttpRequest, group: str) -> None:
    """Count this request in one of the site's throttle groups; beyond its rate, answer 429."""
    throttled = check(request, group)
    if throttled is not None:
        raise ApiThrottled(throttled)


def _field(loc: list | tuple) -> str:
    # ninja reports ("body", "payload", "source"): the parts after the parameter's own name are the field.
    parts = [str(part) for part in loc]
    if len(parts) > 2 and parts[0] == "body":
        parts = parts[2:]
    elif len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field(error.get("loc", ())), "message": str(error.get("msg", "is not valid"))}
            for error in exc.errors
        ]
        return api.create_response(
            request, {"detail": "The request is not valid.", "errors": errors}, status=400
        )

    @api.exception_handler(Rejected)
    def rejected(request: HttpRequest, exc: Rejected) -> HttpResponse:
        return api.create_response(request, {"detail": exc.detail, **exc.extra}, status=400)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {
            "detail": "Log in, or send 'Authorization: Bearer <token>' with a valid, unrevoked API token."
        }
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found."}, status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        body = {
            "detail": f"The request body is larger than {limit:g} MB; send a bigger bank as a file upload."
        }
        return api.create_response(request, body, status=413)

    @api.exception_handler(ApiThrottled)
    def throttled(request: HttpRequest, exc: ApiThrottled) -> HttpResponse:
        body = {"detail": exc.throttled.message, "retry_after": exc.throttled.seconds}
        response = api.create_response(request, body, status=429)
        response["Retry-After"] = str(exc.throttled.seconds)
        return response
