from django.urls import path

from grading import views, views_authoring, views_challenge

app_name = "grading"

urlpatterns = [
    path("", views.exercises, name="exercises"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<int:submission_id>/status/", views.submission_status, name="submission_status"),
    path("submissions/<int:submission_id>/result/", views.submission_result, name="submission_result"),
    path("instructor/submissions/", views.instructor_submissions, name="instructor_submissions"),
    path("instructor/diagnoses/", views.instructor_diagnoses, name="instructor_diagnoses"),
    path("challenge/", views_challenge.challenge, name="challenge"),
    path("challenge/starter/", views_challenge.challenge_starter, name="challenge_starter"),
    path("author/", views_authoring.author_exercises, name="author_exercises"),
    path("author/new/", views_authoring.author_exercise_create, name="author_exercise_create"),
    path("author/import/", views_authoring.author_exercise_import, name="author_exercise_import"),
    path("author/<slug:slug>/", views_authoring.author_exercise, name="author_exercise"),
    path("author/<slug:slug>/edit/", views_authoring.author_exercise_edit, name="author_exercise_edit"),
    path(
        "author/<slug:slug>/validate/",
        views_authoring.author_exercise_validate,
        name="author_exercise_validate",
    ),
    path(
        "author/<slug:slug>/publish/", views_authoring.author_exercise_publish, name="author_exercise_publish"
    ),
    path(
        "author/<slug:slug>/preview/", views_authoring.author_exercise_preview, name="author_exercise_preview"
    ),
    path("author/<slug:slug>/export/", views_authoring.author_exercise_export, name="author_exercise_export"),
    path("author/<slug:slug>/delete/", views_authoring.author_exercise_delete, name="author_exercise_delete"),
    path(
        "author/<slug:slug>/sharing/", views_authoring.author_exercise_sharing, name="author_exercise_sharing"
    ),
    path("<slug:slug>/", views.exercise_detail, name="exercise"),
    path("<slug:slug>/starter/", views.exercise_starter, name="exercise_starter"),
]
