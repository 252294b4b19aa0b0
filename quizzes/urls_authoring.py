from django.urls import path

from quizzes.views import (
    authoring,
    authoring_items,
    authoring_quizzes,
    authoring_sharing,
    authoring_transfer,
    authoring_versions,
    grading,
)

# Mounted at /quizzes/author/ inside the `quizzes` namespace.
urlpatterns = [
    path("", authoring.author_banks, name="author_banks"),
    path("banks/new/", authoring.bank_create, name="author_bank_create"),
    path("import/", authoring_transfer.bank_import_view, name="author_import"),
    path("import/jobs/<str:job_id>/", authoring_transfer.bank_import_job_view, name="author_import_job"),
    path("banks/<slug:slug>/", authoring.bank_detail, name="author_bank"),
    path("banks/<slug:slug>/edit/", authoring.bank_edit, name="author_bank_edit"),
    path("banks/<slug:slug>/delete/", authoring.bank_delete_view, name="author_bank_delete"),
    path("banks/<slug:slug>/sharing/", authoring_sharing.bank_sharing, name="author_bank_sharing"),
    path("banks/<slug:slug>/validate/", authoring_transfer.bank_validate_view, name="author_bank_validate"),
    path("banks/<slug:slug>/export/", authoring_transfer.bank_export_view, name="author_bank_export"),
    path("banks/<slug:slug>/items/new/", authoring_items.item_create, name="author_item_create"),
    path("banks/<slug:slug>/items/<slug:key>/", authoring_items.item_preview, name="author_item_preview"),
    path("banks/<slug:slug>/items/<slug:key>/edit/", authoring_items.item_edit, name="author_item_edit"),
    path(
        "banks/<slug:slug>/items/<slug:key>/delete/",
        authoring_items.item_delete_view,
        name="author_item_delete",
    ),
    path(
        "banks/<slug:slug>/items/<slug:key>/versions/",
        authoring_versions.item_versions_view,
        name="author_item_versions",
    ),
    path(
        "banks/<slug:slug>/items/<slug:key>/versions/<int:number>/regrade/",
        authoring_versions.item_regrade,
        name="author_item_regrade",
    ),
    path("quizzes/", authoring_quizzes.quiz_list, name="author_quizzes"),
    path("quizzes/new/", authoring_quizzes.quiz_create, name="author_quiz_create"),
    path("quizzes/<slug:slug>/", authoring_quizzes.quiz_detail, name="author_quiz"),
    path("quizzes/<slug:slug>/edit/", authoring_quizzes.quiz_edit, name="author_quiz_edit"),
    path("quizzes/<slug:slug>/delete/", authoring_quizzes.quiz_delete_view, name="author_quiz_delete"),
    path("quizzes/<slug:slug>/grading/", grading.quiz_grading, name="author_quiz_grading"),
    path("quizzes/<slug:slug>/grading/<int:attempt_item_id>/", grading.quiz_grade, name="author_quiz_grade"),
]
