"""The API object: version 1, mounted at /api/v1/ by config.urls."""

from __future__ import annotations

from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from api import errors
from api.auth import AUTH
from api.endpoints import banks, challenge, gradebook, quizzes, submissions

api = NinjaAPI(
    title="Descent API",
    version="1",
    description=(
        "Quiz banks, quizzes and attempt results, code submissions, optimizer-challenge entries and "
        "leaderboards, and course gradebooks, under the "
        "same permission rules and throttles as the site's pages. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are made on /api/tokens/) or, from the site's own "
        "pages, with the session and the `X-CSRFToken` header. An LMS may read one connected course's "
        "gradebook and quiz attempt results with the service token staff issued it (on "
        "/lti/service-tokens/); ServiceTokenAuth marks those endpoints. Lists are paginated with `page` "
        "and `page_size`."
    ),
    auth=AUTH,
    urls_namespace="api_v1",
    docs_decorator=require_safe,  # the schema and the docs page are read-only
)
errors.install(api)
for module in (banks, quizzes, submissions, challenge, gradebook):
    api.add_router("/", module.router)
