from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from api.api import api
from config import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("lab/", include("optimlab.urls")),
    path("grading/", include("grading.urls")),
    path("progress/", include("progress.urls")),
    path("courses/", include("courses.urls")),
    path("lti/", include("lti.urls")),
    path("api/v1/", api.urls),
    path("api/", include("api.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
