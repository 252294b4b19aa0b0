"""Lets the LMS frame the pages of LMS-launched sessions (see lti.frame for the rules)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from lti import frame

PYLTI_COOKIE_PREFIX = "lti1p3-"  # pylti1p3's login state (`CookieService._cookie_prefix`)


class LmsFrameMiddleware:
    """Between the CSP middleware (outside) and the session middleware (inside): it sees the
    session and the cookies the inner middleware set, and its CSP choice is the one sent.

    - the LTI login and launch may be framed by any registered platform (the browser arrives from
      one, and a refused launch shows its reason inside the frame);
    - the pages of a session a launch opened may be framed by that session's platform;
    - over HTTPS, that session's session and CSRF cookies, and pylti1p3's login-state cookies,
      become `SameSite=None; Secure; Partitioned`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._entry_paths: frozenset[str] | None = None

    def entry_paths(self) -> frozenset[str]:
        if self._entry_paths is None:
            self._entry_paths = frozenset({reverse("lti:login"), reverse("lti:launch")})
        return self._entry_paths

    def __call__(self, request):
        response = self.get_response(request)
        platform_id = frame.session_platform(request)
        entry = request.path in self.entry_paths()
        if platform_id is not None:
            origins = frame.frame_ancestors(platform_id)
        elif entry:
            origins = frame.frame_ancestors()
        else:
            origins = []
        if origins:
            policy = getattr(response, "_csp_config", settings.SECURE_CSP)  # a view's own, if it set one
            response._csp_config = {**policy, "frame-ancestors": origins}
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
        if request.is_secure() and (platform_id is not None or entry):
            for name in list(response.cookies):
                if name.startswith(PYLTI_COOKIE_PREFIX) or (
                    platform_id is not None
                    and name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
                ):
                    frame.make_frame_cookie(response.cookies, name)
        return response
