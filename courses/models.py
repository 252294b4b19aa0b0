"""Courses, enrolments and assignments.

An instructor owns a course; students join it with its enrolment code. An assignment links the
course to either a quiz (a foreign key) or a code exercise (its slug: exercises are folders in
`grading/exercises/`, not rows), with the dates it opens and is due.
"""

from django.conf import settings
from django.db import models


class Course(models.Model):
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="courses_taught", on_delete=models.CASCADE
    )
    # Stored normalised (upper case, no separators); shown grouped as ABCD-EFGH.
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Enrollment", related_name="courses_joined", blank=True
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    course = models.ForeignKey(Course, related_name="enrollments", on_delete=models.CASCADE)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="enrollments", on_delete=models.CASCADE
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "student__username"]
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="unique_enrollment")]

    def __str__(self) -> str:
        return f"{self.student} in {self.course}"


class AssignmentKind(models.TextChoices):
    QUIZ = "quiz", "Quiz"
    EXERCISE = "exercise", "Code exercise"


class Assignment(models.Model):
    course = models.ForeignKey(Course, related_name="assignments", on_delete=models.CASCADE)
    kind = models.CharField(max_length=12, choices=AssignmentKind.choices)
    # A quiz that is assigned somewhere cannot be deleted from under the gradebook.
    quiz = models.ForeignKey(
        "quizzes.Quiz", null=True, blank=True, related_name="assignments", on_delete=models.PROTECT
    )
    exercise_slug = models.SlugField(max_length=64, blank=True)
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="quiz", quiz__isnull=False, exercise_slug="")
                    | models.Q(kind="exercise", quiz__isnull=True) & ~models.Q(exercise_slug="")
                ),
                name="assignment_targets_one_thing",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("opens_at")), name="assignment_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.target_label}"

    @property
    def is_quiz(self) -> bool:
        return self.kind == AssignmentKind.QUIZ

    @property
    def target_label(self) -> str:
        """What is assigned, as people call it: the quiz title or the exercise's title."""
        if self.is_quiz:
            return self.quiz.title if self.quiz_id else "(quiz)"
        from grading.exercises import EXERCISES

        exercise = EXERCISES.get(self.exercise_slug)
        return exercise.title if exercise else self.exercise_slug
