"""Banks, items, quizzes and attempts.

An item's kind-specific content (choices, tolerance, template parameters, symbolic key,
table recurrence...) lives in `Item.spec`, a plain dict in exactly the shape of the bank
YAML format (docs/bank-format.md). The Django-free engine in `quizzes/engine/` validates,
renders and checks that dict; the models only store it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.sharing import Share, ShareRole
from quizzes.engine.kinds import ItemKind as EngineItemKind

__all__ = ["Share", "ShareRole"]  # defined in accounts.sharing; banks and courses are shared alike

# The kinds and their labels are the engine's (quizzes/engine/kinds/base.py); this is the same enum as
# Django choices, so a new kind needs no edit here.
ItemKind = models.TextChoices(  # type: ignore[call-overload]  # the functional form is not in the stubs
    "ItemKind", [(kind.name, (kind.value, kind.label)) for kind in EngineItemKind]
)


class Topic(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Bank(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The named levels of the bank's category tree with their descriptions, as Moodle categories
    # carry them: [{"path": ["Optimizers", "Momentum"], "description": "..."}]. Items name their
    # own level in `spec["category"]`.
    categories = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankShare(Share):
    """A person other than the owner who may edit (co-author) or only view (viewer) a bank."""

    bank = models.ForeignKey(Bank, related_name="shares", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="bank_shares", on_delete=models.CASCADE)

    shared_field = "bank"

    class Meta:
        ordering = ["bank", "user__username"]
        constraints = [models.UniqueConstraint(fields=["bank", "user"], name="unique_bank_share")]


class BankMedia(models.Model):
    """An image or file a bank's items show, imported with them (Moodle XML's embedded files).

    Texts refer to it as `media:<digest>/<name>` (see `quizzes/bankio/media.py`); the Markdown
    renderer turns that into the address of `quizzes.views.media`. The bytes are kept in the database
    so that they are written in the import's transaction and need no shared disk; imports bound their
    size (BANK_IMPORT_MAX_MEDIA_BYTES). `content_type` is one of the allow-list's, found from the bytes.
    """

    bank = models.ForeignKey(Bank, related_name="media", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the bytes, hexadecimal.")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bank", "name"]
        constraints = [models.UniqueConstraint(fields=["bank", "digest"], name="unique_media_per_bank")]

    def __str__(self) -> str:
        return f"{self.bank_id}/{self.name}"


class Item(models.Model):
    bank = models.ForeignKey(Bank, related_name="items", on_delete=models.CASCADE)
    # Stable identifier from the bank file; survives title edits and re-imports.
    key = models.SlugField(max_length=120)
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    title = models.CharField(max_length=200, blank=True)
    stem = models.TextField(help_text="Markdown with $LaTeX$; templates use {{name}} placeholders.")
    explanation = models.TextField(blank=True)
    hints = models.JSONField(default=list, blank=True)
    topics = models.ManyToManyField(Topic, related_name="items", blank=True)
    difficulty = models.PositiveSmallIntegerField(default=2)
    spec = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bank", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bank", "key"], name="unique_item_key_per_bank")]

    def __str__(self) -> str:
        return f"{self.bank.slug}/{self.key}"

    def to_dict(self) -> dict:
        """The item as the engine and the bank file format see it (docs/bank-format.md).

        Callers that loop over many items should prefetch `topics`.
        """
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "topics": [topic.slug for topic in self.topics.all()],
            "difficulty": self.difficulty,
            "stem": self.stem,
            "explanation": self.explanation,
            "hints": list(self.hints),
            **self.spec,
        }


class ItemVersion(models.Model):
    """An immutable snapshot of an item's dict (`Item.to_dict()`), numbered 1, 2, ... per item.

    An attempt keeps the version of each item it drew and is checked against it, so editing an
    item never changes the key of an attempt already running; a regrade moves attempts to a newer
    version explicitly (`quizzes.services.versions`).
    """

    item = models.ForeignKey(Item, related_name="versions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_item_version")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class GradingPolicy(models.TextChoices):
    BEST = "best", "Best attempt counts"
    LAST = "last", "Last attempt counts"


class FeedbackMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately after each item"
    END = "end", "At the end of the attempt"


class Quiz(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    published = models.BooleanField(default=True)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    penalty_per_extra_attempt = models.FloatField(
        default=0.0, help_text="Fraction of the score lost for each attempt after the first (0 to 1)."
    )
    grading_policy = models.CharField(max_length=8, choices=GradingPolicy.choices, default=GradingPolicy.BEST)
    feedback_mode = models.CharField(
        max_length=12, choices=FeedbackMode.choices, default=FeedbackMode.IMMEDIATE
    )
    one_item_per_page = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class QuizRule(models.Model):
    """Draw `count` items from `bank` (or from every bank) matching the topic and kind filters."""

    quiz = models.ForeignKey(Quiz, related_name="rules", on_delete=models.CASCADE)
    bank = models.ForeignKey(Bank, null=True, blank=True, on_delete=models.CASCADE)
    topics = models.JSONField(default=list, blank=True, help_text="Topic slugs; any match. Empty: any topic.")
    kinds = models.JSONField(default=list, blank=True, help_text="Item kinds; empty: any kind.")
    count = models.PositiveIntegerField(default=5)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "position", "id"]

    def __str__(self) -> str:
        return f"{self.quiz.slug}: {self.count} from {self.bank.slug if self.bank else 'any bank'}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, related_name="attempts", on_delete=models.CASCADE)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="quiz_attempts", on_delete=models.CASCADE
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    # A default, not auto_now_add: starting (and a course import) sets the time the deadline is counted from.
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    raw_score = models.FloatField(null=True, blank=True, help_text="Mean item score, 0 to 1.")
    score = models.FloatField(
        null=True, blank=True, help_text="Score after the extra-attempt penalty, 0 to 1."
    )

    class Meta:
        ordering = ["quiz", "student", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "number"], name="unique_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug} #{self.number} by {self.student}"


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, related_name="attempt_items", on_delete=models.CASCADE)
    item = models.ForeignKey(Item, related_name="attempt_items", on_delete=models.PROTECT)
    # The version drawn (or the one a regrade moved the attempt to); answers are checked against it.
    # Empty only for rows made outside the attempt service, which then use the item as it is now.
    version = models.ForeignKey(
        ItemVersion, null=True, blank=True, related_name="attempt_items", on_delete=models.PROTECT
    )
    position = models.PositiveIntegerField()
    seed = models.BigIntegerField(help_text="Variant seed, derived from student, item and attempt.")
    variant = models.JSONField(default=dict, blank=True, help_text="Template parameter values as drawn.")
    response = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="The engine's CheckResult as a dict.")
    score = models.FloatField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # What the student has typed but not submitted, saved as they type. It never counts by itself:
    # finishing the attempt checks it (quizzes.services.attempts.attempt_finish).
    draft = models.JSONField(null=True, blank=True, help_text="Typed but not yet submitted response.")
    draft_saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_attempt_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} item {self.position}"

    def item_data(self) -> dict:
        """The item as this attempt sees it: its pinned version, else the item as it is now."""
        return self.version.data if self.version is not None else self.item.to_dict()


class Regrade(models.Model):
    """One explicit regrade of an item's attempts against one of its versions: who, when, what changed.

    `changes` lists, per attempt item moved: attempt, student, version number from, item score
    before and after, attempt score before and after (null while the attempt is in progress).
    """

    item = models.ForeignKey(Item, related_name="regrades", on_delete=models.CASCADE)
    to_version = models.ForeignKey(ItemVersion, related_name="regrades", on_delete=models.PROTECT)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    performed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"regrade of {self.item_id} to v{self.to_version.number}"
