"""A student's code submission and its grading lifecycle, and the grading workers' own rows.

A submission is graded by whichever worker claims it first. The claim is a lease: the worker
refreshes `heartbeat_at` while it grades, and a claim whose heartbeat has gone stale (the worker
died) is put back on the queue for another worker. `attempts` counts claims and doubles as a
fencing token: a worker may only store its verdict while its claim is still the current one.
The submission row is the job: there is no separate task table (see grading.services.queue).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.sharing import Share


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        GRADED = "graded", "Graded"
        ERROR = "error", "Could not be graded"

    PENDING = (Status.QUEUED, Status.RUNNING)

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise_slug = models.SlugField(max_length=64)
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # A random value the submit form carries (new per page load): a post retried with the same
    # token finds the submission it already created instead of storing a duplicate.
    client_token = models.CharField(max_length=64, blank=True, default="")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="How many times a worker claimed it.")
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
            # The fair scheduler asks, per queued submission, when its student was last served.
            models.Index(fields=["student", "-claimed_at"], name="grading_sub_student_claim"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "client_token"],
                condition=~Q(client_token=""),
                name="grading_sub_one_per_client_token",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_slug} by {self.student_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.GRADED, self.Status.ERROR}


class GradingWorker(models.Model):
    """One running `manage.py grading_worker` process, as it last reported itself.

    Written by the worker at start and every few seconds (`beat_at`); a row whose beat is older
    than the lease belongs to a worker that died, and is pruned after a while. Operators read
    these rows through /readyz and `manage.py queue_status`.
    """

    worker_id = models.CharField(max_length=96, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    sandbox_ok = models.BooleanField(default=False, help_text="Whether the sandbox self-test passed.")
    sandbox_detail = models.CharField(max_length=500, blank=True)
    current_submission_id = models.BigIntegerField(null=True, blank=True)
    stopping = models.BooleanField(default=False)

    class Meta:
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id


class AuthoredExercise(models.Model):
    """A code exercise an instructor writes on the site: what a folder of `grading/exercises/` holds,
    plus an owner who may share it (as banks are shared) and the version students see.

    The fields are the draft the authors edit. `published` is a frozen copy of the content that
    passed validation (the reference scores 1 in the sandbox, the starter fails, the suite tells
    the mistake families apart) when it was published: students work on that copy while the
    draft changes, until it is published again. The content is checked by the same loader as the
    folders (`grading.exercises.loader.exercise_from_parts`); see `grading.authoring`.
    """

    slug = models.SlugField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_exercises",
    )
    title = models.CharField(max_length=200)
    order = models.IntegerField(default=100)
    topics = models.JSONField(default=list, blank=True)
    statement_md = models.TextField()
    starter_source = models.TextField()
    reference_source = models.TextField()
    reference_optimizer = models.CharField(max_length=64)
    hyperparameters = models.JSONField(
        default=list, help_text="[[name, default], ...] in the order of `step`'s keywords"
    )
    suite = models.JSONField(default=list, help_text="the suite entries, as in info.yaml")
    hints = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The last validation of the draft, and the digest of the draft it was run on.
    validation = models.JSONField(null=True, blank=True)
    validated_digest = models.CharField(max_length=40, blank=True)

    # What students see: the content as published (the same keys as `content()`), or None.
    published = models.JSONField(null=True, blank=True)
    published_digest = models.CharField(max_length=40, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def is_published(self) -> bool:
        return self.published is not None


class AuthoredExerciseShare(Share):
    """A person other than the owner who may edit (co-author) or only view an authored exercise."""

    exercise = models.ForeignKey(AuthoredExercise, related_name="shares", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="authored_exercise_shares", on_delete=models.CASCADE
    )

    shared_field = "exercise"

    class Meta:
        ordering = ["exercise", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "user"], name="unique_authored_exercise_share")
        ]


class AuthoringJob(models.Model):
    """Work an author asked the grading workers to do on an exercise: validate it, or preview code in it.

    Validation and previews run the author's code in the sandbox, which can take a while, so the
    request only queues a job and the page waits for its result. The job carries the draft it runs
    on (`content` and its `digest`), so a validation result is stored against the very version it
    checked. Workers claim jobs under a lease, as submissions are (see grading.services.queue_authoring).
    """

    class Kind(models.TextChoices):
        VALIDATE = "validate", "Validation"
        PREVIEW = "preview", "Preview"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        ERROR = "error", "Could not be run"

    PENDING = (Status.QUEUED, Status.RUNNING)

    exercise = models.ForeignKey(AuthoredExercise, related_name="jobs", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="authoring_jobs", on_delete=models.CASCADE
    )
    content = models.JSONField(help_text="the draft the job runs on, as AuthoredExercise stores it")
    digest = models.CharField(max_length=40, help_text="content_digest of that draft")
    source = models.TextField(blank=True, help_text="the code a preview grades")
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=96, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    result = models.JSONField(
        null=True, blank=True, help_text="the validation report or the preview's verdict"
    )
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="grading_job_status_created"),
            models.Index(fields=["requested_by", "-claimed_at"], name="grading_job_user_claim"),
        ]
        constraints = [
            # At most one validation waits per exercise: asking again updates the waiting one.
            models.UniqueConstraint(
                fields=["exercise"],
                condition=Q(kind="validate", status="queued"),
                name="grading_job_one_queued_validation",
            ),
            # At most one preview waits per author and exercise: a new one replaces its code.
            models.UniqueConstraint(
                fields=["exercise", "requested_by"],
                condition=Q(kind="preview", status="queued"),
                name="grading_job_one_queued_preview",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} of {self.exercise_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING


class ChallengeBaselineRuns(models.Model):
    """The optimizer challenge's tuned baseline runs, computed once and read by every process.

    Keyed by a digest of the suite, the baselines and the code that runs them
    (grading.challenge.baselines.baseline_digest), so a change of any of them is a new row.
    """

    digest = models.CharField(max_length=64, unique=True)
    runs = models.JSONField(help_text="problem id -> each baseline's learning rate, steps and loss curve")
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"challenge baselines {self.digest[:12]}"
