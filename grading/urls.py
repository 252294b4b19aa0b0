from django.urls import path

from grading import views

app_name = "grading"

urlpatterns = [
    path("", views.exercises, name="exercises"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<int:submission_id>/status/", views.submission_status, name="submission_status"),
    path("submissions/<int:submission_id>/result/", views.submission_result, name="submission_result"),
    path("instructor/submissions/", views.instructor_submissions, name="instructor_submissions"),
    path("instructor/diagnoses/", views.instructor_diagnoses, name="instructor_diagnoses"),
    path("<slug:slug>/", views.exercise_detail, name="exercise"),
    path("<slug:slug>/starter/", views.exercise_starter, name="exercise_starter"),
]
