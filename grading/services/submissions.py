"""Creating submissions and reading them back with the right permissions."""

import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max, Q, QuerySet

from accounts.roles import is_instructor
from grading.access import limit_to_taught_work, taught_work_q
from grading.exercises import EXERCISES, VERSION_MARK
from grading.models import Submission
from grading.services.authoring import exercise_for_student

MAX_SOURCE_BYTES = 64 * 1024
HISTORY_LENGTH = 20  # past submissions (or challenge entries) listed on a page


class SubmissionRejected(ValueError):
    """The submission cannot be accepted; the message tells the student why."""


def _exercise_slug(exercise, student) -> str:
    """The slug a submission stores: a folder exercise's, or that of a published instructor exercise
    the student may open (through a course that assigns it, or as one of its authors)."""
    slug: Any = exercise if isinstance(exercise, str) else getattr(exercise, "slug", None)
    plain = slug.partition(VERSION_MARK)[0] if isinstance(slug, str) else ""
    if plain in EXERCISES:
        return plain
    if not plain or exercise_for_student(student, plain) is None:
        raise SubmissionRejected(f"There is no exercise called {slug!r}.")
    return plain


def clean_source(source: object) -> str:
    if not isinstance(source, str):
        raise SubmissionRejected("The submission must be Python source text.")
    # Browsers send textarea contents with CRLF line endings; tracebacks read better without them.
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if not source.strip():
        raise SubmissionRejected(
            "The submission is empty: paste or write your init_state and step functions."
        )
    if "\x00" in source:
        raise SubmissionRejected("The submission contains a NUL character; it must be plain text.")
    size = len(source.encode("utf-8", errors="surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        raise SubmissionRejected(
            f"The submission is {size // 1024} KB; the limit is {MAX_SOURCE_BYTES // 1024} KB. "
            "An optimizer step fits in far less: remove anything that is not needed."
        )
    return source


class SubmissionLimitReached(SubmissionRejected):
    """The student already has as many submissions of this exercise waiting as the queue allows."""


DEFAULT_MAX_PENDING_PER_EXERCISE = 2
# What a client token looks like: what `new_client_token` makes, or a caller's own (the API's).
CLIENT_TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"
_TOKEN = re.compile(CLIENT_TOKEN_PATTERN)


def max_pending_per_exercise() -> int:
    """Queued-or-running submissions a student may have per exercise (0: no limit)."""
    return int(getattr(settings, "GRADING_MAX_PENDING_PER_EXERCISE", DEFAULT_MAX_PENDING_PER_EXERCISE))


def new_client_token() -> str:
    """A value for the submit form's hidden `client_token` field, new on every page load."""
    return secrets.token_urlsafe(18)


def clean_client_token(token: object) -> str:
    """The token, or "" when the post carries none; SubmissionRejected when it is malformed."""
    if token is None or token == "":
        return ""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise SubmissionRejected("The form was damaged in transit; reload the page and submit again.")
    return token


def submission_create(*, student, exercise, source: str, client_token: str = "") -> Submission:
    """Store a submission; the queue picks it up once the row is committed.

    `exercise` is an Exercise or its slug. `client_token` makes the call idempotent: a retried
    post with the token of a submission already stored returns that submission and stores
    nothing. Raises SubmissionRejected (nothing stored) for an unknown exercise, source that is
    empty, not text or larger than 64 KB, a malformed token, a token already used for different
    code; SubmissionLimitReached when the student has too many submissions of this exercise
    waiting to be graded.
    """
    return store_submission(
        student=student, slug=_exercise_slug(exercise, student), source=source, client_token=client_token
    )


def store_submission(*, student, slug: str, source: str, client_token: str = "") -> Submission:
    """`submission_create` for a slug already checked (an exercise's, or the challenge's): the same
    source and token checks, the same pending limit, the same one-at-a-time lock."""
    source = clean_source(source)
    token = clean_client_token(client_token)
    try:
        with transaction.atomic():
            # One submission at a time per student, on every process: the checks below and the
            # insert cannot interleave with another post of the same student.
            list(get_user_model().objects.select_for_update().filter(pk=student.pk).values_list("pk"))
            if token:
                earlier = Submission.objects.filter(student=student, client_token=token).first()
                if earlier is not None:
                    return _same_submission(earlier, slug, source)
            limit = max_pending_per_exercise()
            if limit and (
                Submission.objects.filter(
                    student=student, exercise_slug=slug, status__in=Submission.PENDING
                ).count()
                >= limit
            ):
                raise SubmissionLimitReached(
                    f"You already have {limit} submissions of this exercise waiting to be graded. "
                    "Wait for one of them to finish, then submit again: your code is kept below."
                )
            return Submission.objects.create(
                student=student, exercise_slug=slug, source=source, client_token=token
            )
    except IntegrityError:
        # Only the token's uniqueness can fail here: a concurrent post won the race.
        if not token:
            raise
        earlier = Submission.objects.get(student=student, client_token=token)
        return _same_submission(earlier, slug, source)


def _same_submission(earlier: Submission, slug: str, source: str) -> Submission:
    if earlier.exercise_slug != slug or earlier.source != source:
        raise SubmissionRejected(
            "This page was already used to submit other code. Your code is kept below: "
            "submit it again to send it as a new submission."
        )
    return earlier


def get_submission_for_user(user, submission_id) -> Submission:
    """The submission if `user` may see it: everyone their own; instructors also those of the students
    of their courses, for exercises those courses assign, made after the student joined
    (`courses.services.access.taught_work_q`); superusers every submission.

    Raises Submission.DoesNotExist both when it does not exist and when it is someone else's, so
    nobody can even learn that a submission they may not see exists.
    """
    if not getattr(user, "is_authenticated", False):
        raise Submission.DoesNotExist("not logged in")
    try:
        submission_id = int(submission_id)
    except (TypeError, ValueError):
        raise Submission.DoesNotExist("not a submission id") from None
    submissions = Submission.objects.select_related("student")
    if not user.is_superuser:
        visible = Q(student=user)
        taught = taught_work_q(user) if is_instructor(user) else None
        if taught is not None:
            visible |= taught
        submissions = submissions.filter(visible)
    return submissions.get(pk=submission_id)


def submissions_of(student, exercise_slug: str) -> QuerySet[Submission]:
    return Submission.objects.filter(student=student, exercise_slug=exercise_slug).defer("source", "verdict")


def best_scores_for(student) -> dict[str, float]:
    """Exercise slug -> the student's best score among graded submissions."""
    rows = (
        Submission.objects.filter(student=student, status=Submission.Status.GRADED)
        .values("exercise_slug")
        .annotate(best=Max("score"))
    )
    return {row["exercise_slug"]: row["best"] or 0.0 for row in rows}


def last_source_for(student, exercise_slug: str) -> str | None:
    latest = Submission.objects.filter(student=student, exercise_slug=exercise_slug).only("source").first()
    return latest.source if latest else None


def submissions_for_instructor(
    *, viewer, exercise_slug: str = "", username: str = ""
) -> QuerySet[Submission]:
    """Submissions by the students of the viewer's courses (every student's for a superuser)."""
    submissions = limit_to_taught_work(
        Submission.objects.select_related("student").defer("source", "verdict"), viewer
    )
    if exercise_slug:
        submissions = submissions.filter(exercise_slug=exercise_slug)
    if username:
        submissions = submissions.filter(student__username=username)
    return submissions


@dataclass(frozen=True)
class DiagnosisCount:
    name: str
    title: str
    submissions: int
    students: int


def common_diagnoses(*, viewer, per_exercise: int = 5) -> dict[str, list[DiagnosisCount]]:
    """Exercise slug -> its most frequent diagnosed mistakes among the submissions `viewer` may see
    (their courses' students; everyone for a superuser), most common first.

    Counted in Python from the stored verdicts, which keeps it identical on SQLite and PostgreSQL.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    students: dict[tuple[str, str], set[int]] = defaultdict(set)
    titles: dict[str, str] = {}
    graded = limit_to_taught_work(
        Submission.objects.filter(status=Submission.Status.GRADED, passed=False), viewer
    )
    for slug, student_id, verdict in graded.values_list("exercise_slug", "student_id", "verdict").iterator():
        for entry in (verdict or {}).get("diagnosis") or []:
            name = entry.get("name")
            if not name:
                continue
            counts[slug][name] += 1
            students[(slug, name)].add(student_id)
            titles.setdefault(name, entry.get("title") or name)
    return {
        slug: [
            DiagnosisCount(name, titles[name], count, len(students[(slug, name)]))
            for name, count in counter.most_common(per_exercise)
        ]
        for slug, counter in sorted(counts.items())
    }


def editor_state(history: QuerySet[Submission], source: str, client_token: str) -> dict[str, Any]:
    """What a page with a code editor shows beside its task: the code, the learner's latest
    submissions (none when the database does not answer, so the page still comes back with the
    code), the size limit and the client token that makes submitting twice store one submission."""
    try:
        past = list(history[:HISTORY_LENGTH])
    except DatabaseError:
        past = []
    try:
        client_token = clean_client_token(client_token) or new_client_token()
    except SubmissionRejected:
        client_token = new_client_token()
    return {
        "source": source,
        "history": past,
        "max_kb": MAX_SOURCE_BYTES // 1024,
        "client_token": client_token,
    }
