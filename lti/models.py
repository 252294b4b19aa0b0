"""What Descent remembers of the LMS platforms that launch it.

Platform registrations and the tool's signing keys are pylti1p3's own models (`LtiTool`,
`LtiToolKey`, in its `lti1p3_tool_config` app). This app adds the links from the LMS's ids to
Descent's rows: a person (issuer + subject) to an account, an LMS course (context) to a course,
an LMS activity (resource link) to what it opens, and a score on its way to the LMS gradebook.
"""

from django.conf import settings
from django.db import models

from accounts.tokens import DigestToken


class PlatformAccount(models.Model):
    """An LMS user, known to Descent by the platform's issuer and the user's subject id."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="lti_accounts", on_delete=models.CASCADE)
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="lti_one_account_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class PlatformContext(models.Model):
    """An LMS course (an LTI context) and the Descent course it maps to."""

    tool = models.ForeignKey("lti1p3_tool_config.LtiTool", related_name="+", on_delete=models.CASCADE)
    deployment_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    course = models.ForeignKey("courses.Course", related_name="lti_contexts", on_delete=models.CASCADE)
    # Names and Role Provisioning: where the roster lives, and when it was last read.
    memberships_url = models.URLField(max_length=1024, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "deployment_id", "context_id"], name="lti_one_course_per_context"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class ResourceLink(models.Model):
    """An LMS activity that opens a Descent assignment, and where its scores go."""

    context = models.ForeignKey(PlatformContext, related_name="resource_links", on_delete=models.CASCADE)
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    assignment = models.ForeignKey(
        "courses.Assignment", null=True, blank=True, related_name="lti_links", on_delete=models.SET_NULL
    )
    # Assignment and Grade Services: the line item of this activity and the scopes granted.
    lineitem_url = models.URLField(max_length=1024, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"], name="lti_one_row_per_resource_link"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed; will retry"


class ScoreSync(models.Model):
    """The newest score of one student on one LMS activity, and whether the LMS has it."""

    link = models.ForeignKey(ResourceLink, related_name="score_syncs", on_delete=models.CASCADE)
    account = models.ForeignKey(PlatformAccount, related_name="score_syncs", on_delete=models.CASCADE)
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    scored_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "account"], name="lti_one_score_per_student_link")
        ]

    def __str__(self) -> str:
        return f"{self.account} on {self.link}: {self.score_given}/{self.score_maximum} ({self.status})"


class ServiceToken(DigestToken):
    """A read-only JSON API credential for the platform side of one LMS course: it reads that course's
    gradebook and the attempt results of its quizzes, nothing else. Staff issue and revoke it; only a
    SHA-256 digest of the token is stored (the token is shown once)."""

    context = models.ForeignKey(PlatformContext, related_name="service_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, help_text="Who uses it, e.g. 'Moodle gradebook sync'.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.context}"
