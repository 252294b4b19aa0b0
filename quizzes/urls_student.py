from django.urls import path

from quizzes.views import student

urlpatterns = [
    path("", student.quiz_list, name="list"),
]
