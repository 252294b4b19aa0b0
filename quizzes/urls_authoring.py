from django.urls import path

from quizzes.views import authoring

urlpatterns = [
    path("", authoring.author_banks, name="author_banks"),
]
