"""Per-student progress, kept up to date incrementally by `progress.events`.

Nothing here is recomputed from the full history on page views: each quiz finished or submission
graded updates these rows once (`Activity` doubles as the record that an event was processed, so a
repeated event changes nothing). `python manage.py rebuild_progress` replays the history when the
rules change.
"""

from django.conf import settings
from django.db import models

from progress.mastery import Level


class StudentProgress(models.Model):
    """Totals and settings for one student: XP, the weekly streak, the leaderboard opt-in."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    xp = models.PositiveIntegerField(default=0)
    streak_weeks = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_practice_week = models.DateField(
        null=True, blank=True, help_text="Monday of the last week practised."
    )
    leaderboard_opt_in = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"progress of {self.student}"


class ConceptMastery(models.Model):
    """One student's level on one concept, with the evidence window the level is computed from."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="masteries")
    concept = models.SlugField(max_length=64)
    level = models.PositiveSmallIntegerField(choices=[(lv.value, lv.label) for lv in Level], default=0)
    window = models.JSONField(
        default=list, help_text="Recent evidence: [source, score, ISO time], oldest first."
    )
    evidence_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "concept"], name="progress_one_mastery_per_concept")
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.concept}: {Level(self.level).label}"


class ActivityKind(models.TextChoices):
    QUIZ = "quiz", "Quiz"
    EXERCISE = "exercise", "Exercise"


class Activity(models.Model):
    """One processed event: a finished quiz attempt or a graded submission."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    source_id = models.PositiveBigIntegerField(help_text="Attempt or submission id.")
    title = models.CharField(max_length=200)
    score = models.FloatField()
    xp = models.PositiveIntegerField(default=0, help_text="XP this event earned.")
    mastery_points = models.PositiveIntegerField(default=0, help_text="Sum of concept levels after it.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "kind", "source_id"], name="progress_event_once"),
        ]
        indexes = [models.Index(fields=["student", "-at"], name="progress_activity_recent")]

    def __str__(self) -> str:
        return f"{self.student} {self.kind} #{self.source_id}"


class SolvedKind(models.TextChoices):
    ITEM = "item", "Quiz item"
    EXERCISE = "exercise", "Exercise"


class Solved(models.Model):
    """The first time a student got an item fully right or passed an exercise (XP is paid once)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solved")
    kind = models.CharField(max_length=16, choices=SolvedKind.choices)
    key = models.CharField(max_length=120, help_text="Item id or exercise slug.")
    item_kind = models.CharField(max_length=16, blank=True, help_text="For items: single, calculation, ...")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "kind", "key"], name="progress_solved_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} solved {self.kind} {self.key}"


class Award(models.Model):
    """An achievement earned; `slug` names an entry of `progress.achievements.ACHIEVEMENTS`."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="awards")
    slug = models.SlugField(max_length=64)
    earned_at = models.DateTimeField()
    notified = models.BooleanField(default=False, help_text="The student has been told about it.")

    class Meta:
        ordering = ["-earned_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["student", "slug"], name="progress_award_once")]
        indexes = [models.Index(fields=["student", "notified"], name="progress_award_unseen")]

    def __str__(self) -> str:
        return f"{self.student}: {self.slug}"
