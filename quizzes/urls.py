from django.urls import include, path

app_name = "quizzes"

# Student-facing pages and instructor authoring pages live in separate modules.
urlpatterns = [
    path("", include("quizzes.urls_student")),
    path("author/", include("quizzes.urls_authoring")),
]
