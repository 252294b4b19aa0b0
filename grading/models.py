"""A student's code submission and its grading lifecycle.

A submission is graded by whichever worker claims it first. The claim is a lease: the worker
refreshes `heartbeat_at` while it grades, and a claim whose heartbeat has gone stale (the worker
died) can be taken over by another worker. `attempts` counts claims and doubles as a fencing
token: a worker may only store its verdict while its claim is still the current one.
"""

from django.conf import settings
from django.db import models


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        GRADED = "graded", "Graded"
        ERROR = "error", "Could not be graded"

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise_slug = models.SlugField(max_length=64)
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a worker claimed it.")
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a grading task was last queued."
    )
    claimed_by = models.CharField(max_length=96, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    verdict = models.JSONField(null=True, blank=True, help_text="Verdict.to_dict(), stored as-is.")
    score = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    graded_at = models.DateTimeField(null=True, blank=True)
    # Why the grader itself could not produce a verdict (status "error"); the student's own
    # mistakes, even ungradable code, are reported in the verdict instead.
    grading_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["student", "exercise_slug", "-created_at"], name="grading_sub_student_ex"),
            models.Index(fields=["status", "heartbeat_at"], name="grading_sub_status_hb"),
            models.Index(fields=["exercise_slug", "-created_at"], name="grading_sub_exercise"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_slug} by {self.student_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.GRADED, self.Status.ERROR}
