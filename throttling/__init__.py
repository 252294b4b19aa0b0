"""Throttles shared by every app: request rate limits and the log-in lockout page.

A throttled request gets HTTP 429 with a ``Retry-After`` header and a page (or JSON for fetch
endpoints) saying in plain words when to retry.

    @throttle("signup")                      # counts POSTs, answers 429 beyond the rate
    def signup(request): ...

    throttled = check(request, "submission")  # in a view that wants to keep the visitor's input
    if throttled: ...; response = retry_after(response, throttled)

The rates live in ``limits``; the log-in lockout itself is django-axes (see settings), and
``lockout.login_lockout_response`` is the page it shows.
"""

from throttling.limits import (
    GENERIC_REASON,
    REASONS,
    TEMPLATE,
    Throttled,
    check,
    client_ip,
    describe_wait,
    retry_after,
    throttle,
    too_many_requests,
    wants_json,
)
from throttling.lockout import login_lockout_response

__all__ = [
    "GENERIC_REASON",
    "REASONS",
    "TEMPLATE",
    "Throttled",
    "check",
    "client_ip",
    "describe_wait",
    "login_lockout_response",
    "retry_after",
    "throttle",
    "too_many_requests",
    "wants_json",
]
