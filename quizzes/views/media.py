"""The images and files quiz items show, served to whoever may see the item (`services.media`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from quizzes.bankio.media import ALLOWED_TYPES
from quizzes.services.media import get_media_for_user

# The file is never a page: nothing in it may run, load or be framed.
# (`True` writes a directive without a value, which the stubs do not know.)
MEDIA_CSP: dict[str, Any] = {"default-src": [CSP.NONE], "sandbox": True, "frame-ancestors": [CSP.NONE]}


@login_required
@require_safe
@csp_override(MEDIA_CSP)
def media_file(request: HttpRequest, digest: str, name: str) -> HttpResponse:
    media = get_media_for_user(request.user, digest)
    # Stored types come from the allow-list; anything else (an edited row) is sent as opaque bytes.
    content_type = media.content_type if media.content_type in ALLOWED_TYPES else "application/octet-stream"
    response = HttpResponse(bytes(media.data), content_type=content_type)
    shown = content_type in ALLOWED_TYPES and ALLOWED_TYPES[content_type][1]
    response.headers["Content-Disposition"] = _disposition("inline" if shown else "attachment", media.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The bytes behind a digest never change; only the viewer's own browser may keep them.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def _disposition(kind: str, name: str) -> str:
    plain = "".join(char for char in name if char.isascii() and (char.isalnum() or char in "._-")) or "file"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
