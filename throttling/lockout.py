"""The page django-axes shows when one username+address pair is paused after repeated failures
(settings.AXES_LOCKOUT_CALLABLE points here)."""

from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from throttling.limits import TEMPLATE, Throttled, retry_after, wants_json


def login_lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request) or timedelta(0)
    username = get_client_username(request, credentials) or ""
    seconds = _lockout_seconds_left(request, username, cool_off)
    throttled = Throttled("login", seconds)
    if wants_json(request):
        body = {
            "ok": False,
            "error": f"Too many failed log-ins. Please wait {throttled.wait} and try again.",
            "retry_after": seconds,
        }
        return retry_after(JsonResponse(body, status=429), throttled)
    context = {
        "heading": "Log-in paused",
        "reason": (
            f"There were {settings.AXES_FAILURE_LIMIT} wrong passwords in a row for "
            f"“{username}” from your network, so logging in as “{username}” from here is paused."
        ),
        "wait": throttled.wait,
        "retry_at": throttled.retry_at,
        "hint": "Attempts during the pause are refused without checking the password. "
        "If you have forgotten your password, ask your instructor or the site's administrator.",
    }
    return retry_after(render(request, TEMPLATE, context, status=429), throttled)


def _lockout_seconds_left(request: HttpRequest, username: str, cool_off: timedelta) -> int:
    """Seconds until the pair's last counted failure is older than the cool-off.

    The database handler (the default) keeps the failure times; with another handler the whole
    cool-off is stated, which is what the failure that caused the lockout starts.
    """
    last = None
    if getattr(settings, "AXES_HANDLER", "AxesDatabaseHandler").endswith("AxesDatabaseHandler"):
        last = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).aggregate(last=Max("attempt_time"))["last"]
    left = (last + cool_off - timezone.now()) if last else cool_off
    return max(1, math.ceil(left.total_seconds()))
