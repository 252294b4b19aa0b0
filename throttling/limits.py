"""Request rate limits (django-ratelimit), counted in the default cache, and the 429 answer.

``settings.RATELIMITS`` names each group's rate for a signed-in user (counted per user) and for an
anonymous visitor (counted per address). A cache shared by all web processes (the database cache
or Redis) makes the count exact across them.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

# What the 429 page says happened, per group (a group without an entry gets a generic sentence).
REASONS = {
    "login": "There have been many failed log-in attempts from your network in a short time.",
    "signup": "Many accounts have been created from your network in a short time.",
    "password_change": "You have tried to change your password many times in a short time.",
    "answer": "You have sent many answers in a short time.",
    "draft": "Your typing was saved many times in a short time.",
    "preview": "Previews were asked for faster than they can be checked.",
    "submission": "You have submitted code many times in a short time.",
    "playground": "The playground has run many new comparisons for you in a short time.",
}
GENERIC_REASON = "You have sent many requests in a short time."
TEMPLATE = "429.html"


@dataclass(frozen=True)
class Throttled:
    group: str
    seconds: int  # until the request may be retried

    @property
    def wait(self) -> str:
        return describe_wait(self.seconds)

    @property
    def retry_at(self) -> datetime:
        return timezone.now() + timedelta(seconds=self.seconds)

    @property
    def message(self) -> str:
        return f"{REASONS.get(self.group, GENERIC_REASON)} Please wait {self.wait} and try again."


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: the connection's, or the one `TRUSTED_PROXY_COUNT` proxies vouch for."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass  # a malformed header is not trusted; the proxy's own address is still counted
    return remote


def _rate(group: str, request: HttpRequest) -> str | None:
    limits = cast(dict[str, str], settings.RATELIMITS.get(group, {}))
    return limits.get("user" if request.user.is_authenticated else "anonymous")


def check(request: HttpRequest, group: str, *, increment: bool = True) -> Throttled | None:
    """Count this request in `group` (unless `increment` is off: only look); a `Throttled` when the
    group's rate is exceeded, else None."""
    usage = get_usage(request, group=group, key="user_or_ip", rate=_rate, method=ALL, increment=increment)
    if usage is None:
        return None
    # Looking without counting: the rate is used up once the count has reached the limit.
    exceeded = usage["should_limit"] if increment else usage["count"] >= usage["limit"]
    if not exceeded:
        return None
    return Throttled(group, max(1, int(usage["time_left"])))


def describe_wait(seconds: float) -> str:
    """'45 seconds', '1 minute', '15 minutes', '2 hours': rounded up, so waiting that long is enough."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or (
        "application/json" in accept and "text/html" not in accept
    )


def retry_after(response: HttpResponse, throttled: Throttled) -> HttpResponse:
    response["Retry-After"] = str(throttled.seconds)
    return response


def too_many_requests(
    request: HttpRequest, throttled: Throttled, *, json: bool | None = None, context: dict | None = None
) -> HttpResponse:
    """The 429 answer: JSON for fetch/XHR callers, otherwise the site's page saying when to retry."""
    as_json = wants_json(request) if json is None else json
    if as_json:
        body = {"ok": False, "error": throttled.message, "retry_after": throttled.seconds}
        return retry_after(JsonResponse(body, status=429), throttled)
    page = {
        "heading": "Please slow down",
        "reason": REASONS.get(throttled.group, GENERIC_REASON),
        "wait": throttled.wait,
        "retry_at": throttled.retry_at,
        **(context or {}),
    }
    return retry_after(render(request, TEMPLATE, page, status=429), throttled)


def throttle(group: str, *, methods: tuple[str, ...] = ("POST",), json: bool | None = None):
    """View decorator: requests with one of `methods` count in `group`; beyond its rate, answer 429."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in methods:
                throttled = check(request, group)
                if throttled is not None:
                    return too_many_requests(request, throttled, json=json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
