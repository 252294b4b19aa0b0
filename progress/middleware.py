"""Tells a student about achievements earned since their last page (grading finishes in a worker,
so there is no request to attach the news to at the moment an award is made).

Enable with "progress.middleware.AchievementNoticeMiddleware" in MIDDLEWARE, after the session,
authentication and message middlewares. Costs one indexed query per full page request.
"""

from django.contrib import messages

from progress.pages import pop_new_achievements


class AchievementNoticeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._is_page_view(request):
            for achievement in pop_new_achievements(request.user):
                messages.success(request, f"Achievement earned: {achievement.name}")
        return self.get_response(request)

    @staticmethod
    def _is_page_view(request) -> bool:
        user = getattr(request, "user", None)
        return (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and "text/html" in request.headers.get("Accept", "")
            and "HX-Request" not in request.headers
        )
