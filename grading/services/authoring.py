"""Instructor-written exercises: every permission-checked fetch, and the writes the authoring pages make.

An exercise belongs to its owner, who may share it as banks are shared (`accounts.sharing`):
co-authors ("editor") may edit, validate, preview and publish it; viewers may view, preview and
export it. `to` names what the caller is about to do: "view", "edit" or "own" (change who it is
shared with). Superusers reach every exercise. Anyone else gets a 404, never a 403, so nobody
learns that another instructor's exercise exists.

Students reach a *published* exercise when a course they joined assigns it (the rule is
registered by courses, `grading.access.register_rules`); its authors reach it too.
They see, and are graded against, the content as it was when last published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.sharing import VIEW, access_of, check_level, owned_or_shared_q, share_remove, share_set
from grading.access import courses_assigning, exercises_assigned_to
from grading.authoring.content import content_of, exercise_from_content, files_of
from grading.authoring.validation import ValidationReport, validate_exercise
from grading.authoring.zipio import read_exercise_zip, write_exercise_zip
from grading.exercises import EXERCISES, VERSION_MARK, Exercise, ExerciseFormatError, content_digest, register
from grading.exercises.loader import exercise_from_files
from grading.models import AuthoredExercise, AuthoredExerciseShare, AuthoringJob, Submission
from grading.services.queue_authoring import enqueue_preview, enqueue_validation


class AuthoringError(ValueError):
    """The exercise cannot be saved as it is; `errors` maps each faulty field to its message."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {"__all__": message})


# ---------------------------------------------------------------- fetches


def exercises_for_user(user, *, to: str = VIEW) -> QuerySet[AuthoredExercise]:
    """The exercises `user` may reach as an author for `to`: owned, shared with a fitting role, all for superusers."""
    check_level(to)
    if not getattr(user, "is_authenticated", False):
        return AuthoredExercise.objects.none()
    if user.is_superuser:
        return AuthoredExercise.objects.all()
    return AuthoredExercise.objects.filter(owned_or_shared_q(user, to)).distinct()


def get_authored_for_user(user, slug: str, *, to: str = VIEW) -> AuthoredExercise:
    """The exercise with this slug if `user` may reach it for `to`; Http404 otherwise (also when it exists)."""
    row = exercises_for_user(user, to=to).filter(slug=slug).first()
    if row is None:
        raise Http404("No such exercise.")
    return row


def authored_access(user, row: AuthoredExercise) -> dict[str, bool]:
    return access_of(user, row)


# ---------------------------------------------------------------- content <-> Exercise


def content_from_row(row: AuthoredExercise) -> dict[str, Any]:
    return {
        "title": row.title,
        "order": row.order,
        "topics": row.topics,
        "statement_md": row.statement_md,
        "starter_source": row.starter_source,
        "reference_source": row.reference_source,
        "reference_optimizer": row.reference_optimizer,
        "hyperparameters": row.hyperparameters,
        "suite": row.suite,
        "hints": row.hints,
    }


def draft_exercise(row: AuthoredExercise) -> Exercise:
    """The draft as a gradable exercise (registered under its content key); ExerciseFormatError if broken."""
    return register(exercise_from_content(row.slug, content_from_row(row)))


def published_exercise(row: AuthoredExercise) -> Exercise | None:
    """The published version, gradable (registered under its content key), or None when unpublished."""
    if row.published is None:
        return None
    return register(exercise_from_content(row.slug, row.published))


def as_shown(exercise: Exercise) -> Exercise:
    """The exercise under its plain slug (for pages and links; grading takes the registered key)."""
    return replace(exercise, slug=exercise.slug.partition(VERSION_MARK)[0])


def grading_key(slug: str) -> str:
    """What the grader takes for a submission's exercise: the slug of a folder exercise, the content
    key of a published authored one; ValueError when there is no such (published) exercise."""
    if slug in EXERCISES:
        return slug
    row = AuthoredExercise.objects.filter(slug=slug).first()
    exercise = published_exercise(row) if row is not None else None
    if exercise is None:
        raise ValueError(f"no published exercise is called {slug!r}")
    return exercise.slug


# ---------------------------------------------------------------- students


def published_for_student(user) -> list[Exercise]:
    """The published authored exercises `user` reaches as a student (or as an author), as shown."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = AuthoredExercise.objects.filter(published__isnull=False)
    if not user.is_superuser:
        authored = exercises_for_user(user).values("pk")
        rows = rows.filter(pk__in=authored) | rows.filter(slug__in=list(exercises_assigned_to(user)))
    exercises = []
    for row in rows.distinct().order_by("order", "slug"):
        exercise = published_exercise(row)
        if exercise is not None:
            exercises.append(as_shown(exercise))
    return exercises


def exercise_for_student(user, slug: str) -> Exercise | None:
    """The published authored exercise `slug` as shown, if `user` may open it; None otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = AuthoredExercise.objects.filter(slug=slug, published__isnull=False).first()
    if row is None:
        return None
    reaches = (
        user.is_superuser
        or exercises_for_user(user).filter(pk=row.pk).exists()
        or slug in exercises_assigned_to(user)
    )
    exercise = published_exercise(row) if reaches else None
    return as_shown(exercise) if exercise is not None else None


# ---------------------------------------------------------------- writes


# Addresses of the exercise pages that a slug would hide (`/grading/<slug>/`).
RESERVED_SLUGS = frozenset({"author", "instructor", "submissions"})


def _check_slug(slug: str, *, exclude_pk: int | None = None) -> None:
    if slug in RESERVED_SLUGS:
        raise AuthoringError(
            f"“{slug}” is reserved by the site; choose another.", {"slug": "This slug is reserved."}
        )
    if slug in EXERCISES:
        raise AuthoringError(
            f"“{slug}” is the slug of a built-in exercise; choose another.",
            {"slug": "This slug is taken by a built-in exercise."},
        )
    taken = AuthoredExercise.objects.filter(slug=slug)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise AuthoringError(
            f"An exercise called “{slug}” exists already.",
            {"slug": "An exercise with this slug exists already."},
        )


def _checked(slug: str, content: Mapping[str, Any]) -> Exercise:
    try:
        return exercise_from_content(slug, content)
    except ExerciseFormatError as exc:
        raise AuthoringError(str(exc), _field_errors(exc)) from None


# Loader fields -> the content keys (form fields) they belong to.
FIELD_OF = {
    "info.yaml": "__all__",
    "statement": "statement_md",
    "starter": "starter_source",
    "reference": "reference_source",
}


def _field_errors(exc: ExerciseFormatError) -> dict[str, str]:
    errors = exc.errors or {"__all__": str(exc)}
    return {FIELD_OF.get(name, name): message for name, message in errors.items()}


def authored_create(*, owner, slug: str, content: Mapping[str, Any]) -> AuthoredExercise:
    """Store a new exercise owned by `owner`; AuthoringError (per field) if anything is wrong."""
    exercise = _checked(slug, content)
    _check_slug(slug)
    try:
        with transaction.atomic():
            return AuthoredExercise.objects.create(slug=slug, owner=owner, **_fields(exercise))
    except IntegrityError:
        raise AuthoringError(
            f"An exercise called “{slug}” exists already.",
            {"slug": "An exercise with this slug exists already."},
        ) from None


def authored_update(*, exercise: AuthoredExercise, content: Mapping[str, Any]) -> AuthoredExercise:
    """Change the draft (the slug stays: submissions and assignments name it). Students keep the
    published version until the draft is validated and published again."""
    checked = _checked(exercise.slug, content)
    with transaction.atomic():
        row = AuthoredExercise.objects.select_for_update().get(pk=exercise.pk)
        for name, value in _fields(checked).items():
            setattr(row, name, value)
        row.save()
    return row


def _fields(exercise: Exercise) -> dict[str, Any]:
    content = content_of(exercise)
    return {name: content[name] for name in content}


def draft_digest(row: AuthoredExercise) -> str:
    return content_digest(exercise_from_content(row.slug, content_from_row(row)))


def _validation_failed(problem: str) -> dict[str, Any]:
    return ValidationReport(False, [problem]).to_dict()


def store_validation(*, exercise_id: int, digest: str, report: Mapping[str, Any]) -> None:
    """Record a validation report for the draft whose digest is `digest` (publishing checks that
    digest against the draft as it is then)."""
    stored = {**report, "draft_digest": digest}
    AuthoredExercise.objects.filter(pk=exercise_id).update(
        validation=stored, validated_digest=digest if report.get("ok") else ""
    )


def authored_request_validation(*, exercise: AuthoredExercise, user) -> AuthoringJob | None:
    """Queue a validation of the draft as it is now, for a grading worker to run.

    A draft that is not even a valid exercise fails at once (no job, None). JobRefused when the
    author has too many jobs waiting."""
    try:
        draft = draft_exercise(exercise)
    except ExerciseFormatError as exc:
        store_validation(exercise_id=exercise.pk, digest="", report=_validation_failed(str(exc)))
        return None
    return enqueue_validation(
        exercise=exercise, user=user, content=content_from_row(exercise), digest=content_digest(draft)
    )


def authored_request_preview(*, exercise: AuthoredExercise, user, source: str) -> AuthoringJob:
    """Queue grading `source` (already checked by `clean_source`) against the draft as it is now.
    ExerciseFormatError for a broken draft, JobRefused over the author's limit."""
    draft = draft_exercise(exercise)
    return enqueue_preview(
        exercise=exercise,
        user=user,
        content=content_from_row(exercise),
        digest=content_digest(draft),
        source=source,
    )


def job_exercise(job: AuthoringJob) -> Exercise:
    """The draft a job runs on, gradable (registered under its content key); ExerciseFormatError if broken."""
    return register(exercise_from_content(job.exercise.slug, job.content))


def validate_job(job: AuthoringJob, *, sandbox) -> dict[str, Any]:
    """Run a validation job's checks in `sandbox`; the report (not stored: the worker stores it)."""
    try:
        draft = job_exercise(job)
    except ExerciseFormatError as exc:
        return _validation_failed(str(exc))
    return validate_exercise(draft, sandbox=sandbox).to_dict()


def authored_job(user, exercise: AuthoredExercise, job_id: int, *, kind: str) -> AuthoringJob:
    """A job `user` asked for on this exercise; Http404 for anyone else's."""
    job = AuthoringJob.objects.filter(pk=job_id, exercise=exercise, kind=kind, requested_by=user).first()
    if job is None:
        raise Http404("No such job.")
    return job


def is_validated(row: AuthoredExercise) -> bool:
    """Whether the draft as it is now passed validation."""
    try:
        return bool(row.validated_digest) and row.validated_digest == draft_digest(row)
    except ExerciseFormatError:
        return False


def report_is_current(row: AuthoredExercise) -> bool:
    """Whether the last validation report was made on the draft as it is now (passed or not)."""
    report = row.validation or {}
    try:
        return bool(report.get("draft_digest")) and report["draft_digest"] == draft_digest(row)
    except ExerciseFormatError:
        return False


class PublishRefused(ValueError):
    """The exercise cannot be published yet; the message says what to do first."""


def authored_publish(*, exercise: AuthoredExercise) -> AuthoredExercise:
    """Publish the draft for students; refused unless this very draft passed validation."""
    with transaction.atomic():
        row = AuthoredExercise.objects.select_for_update().get(pk=exercise.pk)
        if not is_validated(row):
            raise PublishRefused(
                "Validate the exercise first: publishing needs the reference to score 1, the starter "
                "to fail and the suite to tell the mistake families apart, for the draft as it is now."
            )
        row.published = content_from_row(row)
        row.published_digest = row.validated_digest
        row.published_at = timezone.now()
        row.save(update_fields=["published", "published_digest", "published_at", "updated_at"])
    return row


def authored_unpublish(*, exercise: AuthoredExercise) -> AuthoredExercise:
    AuthoredExercise.objects.filter(pk=exercise.pk).update(
        published=None, published_digest="", published_at=None
    )
    exercise.refresh_from_db()
    return exercise


class DeleteRefused(ValueError):
    """The exercise is in use and is kept; the message says what holds it."""


@dataclass(frozen=True)
class ExerciseUse:
    """What keeps an exercise from being deleted: courses that assign it, students' submissions."""

    courses: list[str]
    submissions: int
    students: int

    @property
    def in_use(self) -> bool:
        return bool(self.courses or self.submissions)

    def refusal(self) -> str:
        reasons = []
        if self.courses:
            reasons.append(f"{len(self.courses)} course(s) assign it ({', '.join(self.courses)})")
        if self.submissions:
            reasons.append(
                f"{self.students} student(s) submitted work on it ({self.submissions} submission(s)), "
                "and deleting it would leave their graded work without its exercise"
            )
        return (
            "This exercise is in use and was not deleted: "
            + "; ".join(reasons)
            + ". Unpublish it instead, so that nobody new starts it; remove it from the courses first "
            "if you mean to delete it."
        )


def exercise_use(row: AuthoredExercise) -> ExerciseUse:
    """The courses and the students' submissions that hold this exercise (the owner's own tries do not)."""
    submissions = Submission.objects.filter(exercise_slug=row.slug)
    if row.owner_id is not None:
        submissions = submissions.exclude(student_id=row.owner_id)
    return ExerciseUse(
        courses=courses_assigning(row.slug),
        submissions=submissions.count(),
        students=submissions.values("student_id").distinct().count(),
    )


def authored_delete(*, exercise: AuthoredExercise) -> None:
    """Delete the exercise, its shares, jobs and its owner's own tries; DeleteRefused while a course
    assigns it or students have submitted work on it (their grades name it)."""
    with transaction.atomic():
        row = AuthoredExercise.objects.select_for_update().filter(pk=exercise.pk).first()
        if row is None:
            return
        use = exercise_use(row)
        if use.in_use:
            raise DeleteRefused(use.refusal())
        Submission.objects.filter(exercise_slug=row.slug).delete()
        row.delete()


# ---------------------------------------------------------------- zip


def authored_export(*, exercise: AuthoredExercise) -> bytes:
    """The draft as a zip in the folder layout (`<slug>/info.yaml`, ...)."""
    checked = _checked(exercise.slug, content_from_row(exercise))
    return write_exercise_zip(exercise.slug, files_of(checked))


def authored_import(*, owner, data: bytes, slug: str = "") -> AuthoredExercise:
    """A new exercise from a zip in the folder layout, owned by `owner`; `slug` overrides the folder's name.

    ZipRefused for a zip that is not safe to read, AuthoringError for content that is not an exercise."""
    zipped = read_exercise_zip(data)
    slug = (slug or zipped.folder).strip()
    if not slug:
        raise AuthoringError(
            "The files are not in a folder named after the exercise: give the exercise a slug.",
            {"slug": "Give the exercise a slug."},
        )
    try:
        exercise = exercise_from_files(slug, zipped.files)
    except ExerciseFormatError as exc:
        raise AuthoringError(str(exc), _field_errors(exc)) from None
    return authored_create(owner=owner, slug=slug, content=content_of(exercise))


# ---------------------------------------------------------------- sharing


def authored_share_set(*, exercise: AuthoredExercise, username: str, role: str) -> AuthoredExerciseShare:
    """Share the exercise with an instructor as co-author or viewer (changing the role if already shared)."""
    return share_set(
        AuthoredExerciseShare, owner_id=exercise.owner_id, username=username, role=role, exercise=exercise
    )


def authored_share_remove(*, exercise: AuthoredExercise, user_id: int) -> bool:
    return share_remove(AuthoredExerciseShare, user_id=user_id, exercise=exercise)
