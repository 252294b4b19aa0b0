from django.contrib import admin

from grading.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "exercise_slug", "student", "status", "score", "passed", "attempts", "created_at")
    list_filter = ("status", "passed", "exercise_slug")
    search_fields = ("student__username", "exercise_slug")
    readonly_fields = (
        "student",
        "exercise_slug",
        "source",
        "created_at",
        "attempts",
        "enqueued_at",
        "claimed_by",
        "claimed_at",
        "heartbeat_at",
        "verdict",
        "score",
        "passed",
        "graded_at",
        "grading_error",
    )
    list_select_related = ("student",)
