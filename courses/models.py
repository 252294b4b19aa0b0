"""Courses, enrolments and assignments.

An instructor owns a course; students join it with its enrolment code. An assignment links the
course to either a quiz (a foreign key) or a code exercise (its slug: exercises are folders in
`grading/exercises/`, not rows), with the dates it opens and is due.
"""

from django.conf import settings
from django.db import models

from grading import api as grading_api
from quizzes.models import Share


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
    # The optimizer challenge's leaderboard for this course's students (courses.services.challenge).
    challenge_enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CourseShare(Share):
    """A person other than the owner who co-teaches (edits) or only views a course.

    Roles are those of banks (`quizzes.models.ShareRole`): "editor" or "viewer".
    """

    course = models.ForeignKey(Course, related_name="shares", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="course_shares", on_delete=models.CASCADE)

    shared_field = "course"

    class Meta:
        ordering = ["course", "user__username"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="unique_course_share")]


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
    # The grade policy (courses.grade_policy): the weight in the course total, and the late penalty.
    weight = models.FloatField(default=1.0, help_text="Weight in the course total; 0 leaves it out.")
    late_penalty_per_day = models.FloatField(
        default=0.0, help_text="Percent of the score lost per started day late."
    )
    late_penalty_cap = models.FloatField(
        default=100.0, help_text="The most a late penalty takes, in percent."
    )

    class Meta:
        ordering = ["course", "due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=1000), name="assignment_weight_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(late_penalty_per_day__gte=0, late_penalty_per_day__lte=100)
                & models.Q(late_penalty_cap__gte=0, late_penalty_cap__lte=100),
                name="assignment_late_penalty_in_range",
            ),
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
            quiz = self.quiz if self.quiz_id else None
            return quiz.title if quiz is not None else "(quiz)"
        exercise = grading_api.exercise_info(self.exercise_slug)
        return exercise.title if exercise else self.exercise_slug


class DueDateExtension(models.Model):
    """A later (or earlier) due date for one student on one assignment."""

    assignment = models.ForeignKey(Assignment, related_name="extensions", on_delete=models.CASCADE)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    due_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_extension_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment}: due {self.due_at:%Y-%m-%d %H:%M}"


class GradeOverride(models.Model):
    """A score the course staff set by hand for one student on one assignment; it replaces the policy's."""

    assignment = models.ForeignKey(Assignment, related_name="overrides", on_delete=models.CASCADE)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    score = models.FloatField(help_text="Fraction of full marks, 0 to 1.")
    reason = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_override_per_student"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="override_score_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment}: {self.score:.3f}"


class GradeChangeKind(models.TextChoices):
    EXTENSION = "extension", "Due-date extension"
    OVERRIDE = "override", "Grade override"


class GradeChange(models.Model):
    """The audit log of extensions and overrides: who changed what, when, from what to what, and why.

    Rows are only ever added. Names and labels are copied in, so the log still reads when the
    assignment or an account is gone.
    """

    course = models.ForeignKey(Course, related_name="grade_changes", on_delete=models.CASCADE)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, related_name="grade_changes", on_delete=models.SET_NULL
    )
    assignment_label = models.CharField(max_length=300)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    student_name = models.CharField(max_length=150)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=GradeChangeKind.choices)
    old_value = models.CharField(max_length=100, blank=True)
    new_value = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["course", "-at"], name="grade_change_course_at")]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.kind} for {self.student_name} on {self.assignment_label}"


# Running sums behind the item statistics page (courses.services.item_aggregates keeps them).
#
# A student can be in several courses, so the sums are kept per student rather than per course:
# a course's statistics are one indexed GROUP BY over the rows of its enrolled students. Per student
# (not per attempt) keeps that GROUP BY small: 500 students x 20 attempts x 10 items drawn from 40
# is at most 20,000 item rows instead of 100,000 attempt-item rows. Every sum is additive, so rolling
# a student's attempts together loses nothing.


class StudentQuizRow(models.Model):
    """A running-sums row of one student at one quiz."""

    quiz = models.ForeignKey("quizzes.Quiz", related_name="+", on_delete=models.CASCADE)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class StudentItemRow(StudentQuizRow):
    """A running-sums row of one student on one item of a quiz."""

    item = models.ForeignKey("quizzes.Item", related_name="+", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class QuizStudentTotals(StudentQuizRow):
    """A student's finished attempts at a quiz, as far as the running sums have counted them.

    `attempts` and `attempt_id_sum` are a checksum: when they differ from the attempts table
    (attempts finished before the sums existed, or deleted since), the student's sums are rebuilt.
    """

    attempts = models.PositiveIntegerField(default=0)
    attempt_id_sum = models.BigIntegerField(default=0)
    raw_score_sum = models.FloatField(default=0.0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quiz", "student"], name="unique_quiz_student_totals")]

    def __str__(self) -> str:
        return f"{self.student} at {self.quiz}: {self.attempts} attempts"


class ItemScoreSums(StudentItemRow):
    """Sums over one student's finished attempts at a quiz that contain one item.

    x = the item's score, r = the rest of the attempt (its total without this item).
    """

    n = models.PositiveIntegerField(default=0)
    sum_x = models.FloatField(default=0.0)
    sum_x2 = models.FloatField(default=0.0)
    sum_r = models.FloatField(default=0.0)
    sum_r2 = models.FloatField(default=0.0)
    sum_xr = models.FloatField(default=0.0)
    max_score = models.FloatField(default=1.0, help_text="Full marks on the item.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "item"], name="unique_item_score_sums")
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.item_id} in {self.quiz}: n={self.n}"


class OptionPickCount(StudentItemRow):
    """How often one student gave one stored response to a choice item in a quiz's finished attempts.

    The raw response is kept (not the option it names) so that the tally follows the item's
    current choices: a response naming a removed choice shows up as "other".
    """

    # sha256 of the canonical JSON of `response`: a short unique key for any response shape.
    response_key = models.CharField(max_length=64)
    response = models.JSONField(null=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student", "item", "response_key"], name="unique_option_pick_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.item_id} in {self.quiz}: {self.response!r} x{self.count}"
