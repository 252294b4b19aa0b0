from django.contrib import admin

from grading.models import GradingWorker, Submission


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
        "client_token",
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


# What a worker said of itself at start-up and since: shown in the list and on its page.
WORKER_STATE = ("worker_id", "host", "pid", "started_at", "beat_at", "sandbox_ok")


@admin.register(GradingWorker)
class GradingWorkerAdmin(admin.ModelAdmin):
    """Workers write their own rows (heartbeats); people only read them."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    list_display = (*WORKER_STATE, "current_submission_id")
    readonly_fields = (*WORKER_STATE, "sandbox_detail", "current_submission_id", "stopping")
