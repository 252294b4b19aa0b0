"""Descent inside the LMS's frame: which origins may frame a page, and the cookies a frame needs.

A session opened by an LMS launch is marked with the registration it came from. Its pages may be
framed by that platform's origins only (`Content-Security-Policy: frame-ancestors`, without
`X-Frame-Options`), and over HTTPS its session and CSRF cookies are sent `SameSite=None; Secure;
Partitioned`: a cross-site frame gets only `SameSite=None` cookies, and browsers that block
third-party cookies (private windows, Safari, more and more by default) still keep partitioned ones
(CHIPS), stored for this LMS's pages alone. pylti1p3's login-state cookies get `Partitioned` too.
Every other page and session keeps `frame-ancestors 'none'`, `X-Frame-Options: DENY` and
`SameSite=Lax` cookies.

A platform's origins come from its registration (the issuer's and the OIDC login URL's origins),
plus `LTI_FRAME_ANCESTORS` for an LMS whose course pages live elsewhere; they are kept in the
cache and dropped whenever a registration is saved or deleted.
"""

from __future__ import annotations

from http.cookies import Morsel, SimpleCookie
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

SESSION_PLATFORM = "lti_platform_id"
CACHE_KEY = "lti-frame-origins"
CACHE_SECONDS = 3600


def origin_of(url: str) -> str | None:
    """'https://lms.example/auth?x=1' -> 'https://lms.example'; None for anything but http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _origins_by_platform() -> dict[int, list[str]]:
    found = cache.get(CACHE_KEY)
    if found is None:
        found = {}
        for tool in LtiTool.objects.filter(is_active=True).only("id", "issuer", "auth_login_url"):
            origins = {origin_of(tool.issuer), origin_of(tool.auth_login_url)}
            found[tool.pk] = sorted(o for o in origins if o)
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget_origins(**kwargs) -> None:
    """Receiver: a registration changed, so the origins are read afresh on the next request."""
    cache.delete(CACHE_KEY)


def frame_ancestors(platform_id: int | None = None) -> list[str]:
    """The origins that may frame a page: one platform's, or (None) every registered platform's."""
    by_platform = _origins_by_platform()
    if platform_id is None:
        origins = {o for values in by_platform.values() for o in values}
    else:
        origins = set(by_platform.get(platform_id, ()))
    if origins:
        origins.update(settings.LTI_FRAME_ANCESTORS)
    return sorted(origins)


def mark_session(request, platform_id: int) -> None:
    """Called by a successful launch: this session lives in that platform's frame from now on."""
    request.session[SESSION_PLATFORM] = platform_id


def session_platform(request) -> int | None:
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified:
        return None  # no session cookie came in and none is being set: nothing to look up
    value = session.get(SESSION_PLATFORM)
    return value if isinstance(value, int) else None


class _PartitionedMorsel(Morsel):
    """A cookie sent with the `Partitioned` attribute, which Python's cookies learn only in 3.14."""

    def OutputString(self, attrs=None):  # noqa: N802 (Morsel's name)
        return super().OutputString(attrs) + "; Partitioned"


def make_frame_cookie(cookies: SimpleCookie, name: str) -> None:
    """Turn a cookie about to be set into one a cross-site frame keeps: SameSite=None, Secure,
    Partitioned (only ever over HTTPS: browsers refuse all three otherwise)."""
    morsel = cookies[name]
    morsel["samesite"] = "None"
    morsel["secure"] = True
    if "partitioned" in getattr(Morsel, "_reserved", {}):  # Python 3.14 and later know the attribute
        morsel["partitioned"] = True
        return
    partitioned = _PartitionedMorsel()
    partitioned.set(morsel.key, morsel.value, morsel.coded_value)
    partitioned.update(dict(morsel))
    cookies[name] = partitioned
