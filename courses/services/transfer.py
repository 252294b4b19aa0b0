"""Move or keep a whole course as one JSON document: `export_course` and `import_course`.

The document is `{"format": "descent-course", "version": 1, "sections": {...}, "checksums":
{"sha256": {section: hex}}}`. Each section's checksum is the sha256 of its canonical JSON (sorted
keys, no spaces, UTF-8), so a changed byte or a cut-off file is caught before anything is written,
and the error names the section.

Sections: the course (name and owner), its sharing, its enrolments, its assignments, the quizzes it
assigns with their rules, the banks those quizzes draw from (as bank YAML, with every item version
that attempts point at), the enrolled students' attempts at those quizzes and their code
submissions for the assigned exercises. People are named by username; a person missing on the
target is reported and skipped, never invented.

An import is one transaction: it writes everything or nothing. The course gets a fresh enrolment
code. Bank and quiz slugs are unique site-wide: a slug that already exists is refused (and
reported) unless `rename_conflicts` is set, which gives the new copy a free suffixed slug.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, models, transaction
from django.utils.dateparse import parse_datetime

from courses.codes import new_code
from courses.models import Assignment, AssignmentKind, Course, CourseShare, Enrollment
from grading.models import Submission
from quizzes.bankio import read_bank
from quizzes.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Bank,
    FeedbackMode,
    GradingPolicy,
    Item,
    ItemVersion,
    Quiz,
    QuizRule,
    ShareRole,
)
from quizzes.services.banks import MAX_BANK_SLUG_LENGTH, bank_export, bank_import

FORMAT = "descent-course"
VERSION = 1
SECTIONS = (
    "course",
    "sharing",
    "enrolments",
    "banks",
    "quizzes",
    "assignments",
    "attempts",
    "submissions",
)
MAX_QUIZ_SLUG_LENGTH = 80

# Fields a section carries as they are, under the model's own name; export and import both read these
# lists, so a field added to one side cannot be forgotten on the other. Times are ISO strings.
QUIZ_FIELDS = (
    "title",
    "description",
    "published",
    "time_limit_minutes",
    "max_attempts",
    "penalty_per_extra_attempt",
    "one_item_per_page",
)
RULE_FIELDS = ("topics", "kinds", "count", "position")
ATTEMPT_ITEM_FIELDS = ("position", "seed", "variant", "response", "result", "score", "draft")
ATTEMPT_ITEM_TIMES = ("answered_at", "draft_saved_at")
SUBMISSION_FIELDS = ("source", "verdict", "score", "passed", "grading_error")
SUBMISSION_TIMES = ("created_at", "graded_at")


class TransferError(Exception):
    """The document cannot be imported; the message says why. Nothing was written."""


@dataclass
class TransferReport:
    course_id: int | None = None
    code: str = ""
    banks: dict[str, str] = field(default_factory=dict)  # slug in the file -> slug written
    quizzes: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    missing_users: dict[str, list[str]] = field(default_factory=dict)  # username -> what was skipped
    renamed: list[str] = field(default_factory=list)

    def skip(self, username: str, what: str) -> None:
        self.missing_users.setdefault(username, []).append(what)

    def lines(self) -> list[str]:
        out = [f"Course {self.course_id} imported with enrolment code {self.code}."]
        out += [f"  {name}: {count}" for name, count in self.counts.items()]
        out += [f"  renamed {line}" for line in self.renamed]
        for username, what in sorted(self.missing_users.items()):
            out.append(f"  no user {username!r} here; skipped: {', '.join(what)}")
        return out


# ------------------------------------------------------------------------------------- checksums


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def section_digest(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _choice(value: Any, allowed: type[models.TextChoices], where: str) -> str:
    if value not in allowed.values:
        raise TransferError(f"section {where!r}: {value!r} is not one of {', '.join(allowed.values)}")
    return value


def _required_when(row: dict, name: str, where: str) -> datetime:
    """`_parse_when` of a time the row must have."""
    parsed = _parse_when(row[name], where)
    if parsed is None:
        raise TransferError(f"section {where!r}: a row has no {name}")
    return parsed


def _parse_when(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise TransferError(f"section {where!r}: {value!r} is not a date and time")
    return parsed


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a model instance, for a section."""
    return {name: getattr(record, name) for name in names}


def _times(record: Any, names: tuple[str, ...]) -> dict[str, str | None]:
    return {name: _when(getattr(record, name)) for name in names}


def _parsed_times(row: dict, names: tuple[str, ...], where: str) -> dict[str, datetime | None]:
    return {name: _parse_when(row[name], where) for name in names}


# ---------------------------------------------------------------------------------------- export


def export_course(*, course: Course) -> dict:
    """The course and everything it needs, as the checksummed document described above."""
    students = list(course.students.all())
    assignments = list(course.assignments.select_related("quiz").order_by("due_at", "id"))
    quizzes = sorted({a.quiz for a in assignments if a.quiz is not None}, key=lambda q: q.slug)
    rules = list(QuizRule.objects.filter(quiz__in=quizzes).select_related("bank", "quiz"))
    bank_ids = {rule.bank_id for rule in rules if rule.bank_id is not None}
    attempts = list(
        Attempt.objects.filter(quiz__in=quizzes, student__in=students)
        .select_related("quiz", "student")
        .prefetch_related("attempt_items__item__bank", "attempt_items__version")
        .order_by("quiz__slug", "student__username", "number")
    )
    # Banks that attempts drew from (a rule's bank may have changed since, or a rule draws from all).
    for attempt in attempts:
        bank_ids.update(row.item.bank_id for row in attempt.attempt_items.all())
    banks = list(Bank.objects.filter(pk__in=bank_ids).order_by("slug"))
    exercises = sorted({a.exercise_slug for a in assignments if a.kind == AssignmentKind.EXERCISE})
    submissions = list(
        Submission.objects.filter(student__in=students, exercise_slug__in=exercises)
        .select_related("student")
        .order_by("created_at", "id")
    )

    sections = {
        "course": {"name": course.name, "owner": course.owner.get_username()},
        "sharing": [
            {"username": share.user.get_username(), "role": share.role}
            for share in course.shares.select_related("user").order_by("user__username")
        ],
        "enrolments": [
            {"username": e.student.get_username(), "joined_at": _when(e.joined_at)}
            for e in course.enrollments.select_related("student").order_by("student__username")
        ],
        "banks": [_bank_section(bank) for bank in banks],
        "quizzes": [_quiz_section(quiz, [r for r in rules if r.quiz_id == quiz.pk]) for quiz in quizzes],
        "assignments": [
            {
                "kind": a.kind,
                "quiz": a.quiz.slug if a.quiz is not None else None,
                "exercise": a.exercise_slug,
                "opens_at": _when(a.opens_at),
                "due_at": _when(a.due_at),
            }
            for a in assignments
        ],
        "attempts": [_attempt_section(attempt) for attempt in attempts],
        "submissions": [
            {
                "username": s.student.get_username(),
                "exercise": s.exercise_slug,
                "status": s.status,
                **_fields(s, SUBMISSION_FIELDS),
                **_times(s, SUBMISSION_TIMES),
            }
            for s in submissions
        ],
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "sections": sections,
        "checksums": {"sha256": {name: section_digest(value) for name, value in sections.items()}},
    }


def _bank_section(bank: Bank) -> dict:
    versions = (
        ItemVersion.objects.filter(item__bank=bank).select_related("item").order_by("item__key", "number")
    )
    by_key: dict[str, list[dict]] = {}
    for version in versions:
        by_key.setdefault(version.item.key, []).append({"number": version.number, "data": version.data})
    return {"slug": bank.slug, "yaml": bank_export(bank=bank, fmt="yaml"), "versions": by_key}


def _quiz_section(quiz: Quiz, rules: list[QuizRule]) -> dict:
    return {
        "slug": quiz.slug,
        **_fields(quiz, QUIZ_FIELDS),
        "grading_policy": quiz.grading_policy,
        "feedback_mode": quiz.feedback_mode,
        "rules": [
            {"bank": rule.bank.slug if rule.bank is not None else None, **_fields(rule, RULE_FIELDS)}
            for rule in sorted(rules, key=lambda r: (r.position, r.pk))
        ],
    }


def _attempt_section(attempt: Attempt) -> dict:
    return {
        "quiz": attempt.quiz.slug,
        "username": attempt.student.get_username(),
        "number": attempt.number,
        "status": attempt.status,
        "started_at": _when(attempt.started_at),
        "deadline": _when(attempt.deadline),
        "finished_at": _when(attempt.finished_at),
        "raw_score": attempt.raw_score,
        "score": attempt.score,
        "items": [
            {
                "bank": row.item.bank.slug,
                "key": row.item.key,
                "version": row.version.number if row.version is not None else None,
                **_fields(row, ATTEMPT_ITEM_FIELDS),
                **_times(row, ATTEMPT_ITEM_TIMES),
            }
            for row in attempt.attempt_items.all()
        ],
    }


def export_problems(document: dict) -> list[str]:
    """Why an import of this export would be refused: banks whose stored items the bank format rejects.

    Items made outside the bank pages and imports (the admin, old data) may lack what a bank file
    requires; the export still holds them, and the operator learns before moving the course.
    """
    problems = []
    for bank in document["sections"]["banks"]:
        for problem in read_bank(bank["yaml"], "yaml", filename=bank["slug"]).problems:
            problems.append(f"bank {bank['slug']!r}: {problem}")
    return problems


def serialise(document: dict) -> str:
    """The document as the file holds it (the checksums cover the sections, not this layout)."""
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------- import


def verify_document(text: str | bytes) -> dict:
    """The document's sections once its format and every checksum are right; else TransferError."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise TransferError(f"the file is not valid JSON (truncated or damaged?): {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferError(f"the file is not a {FORMAT} export")
    if document.get("version") != VERSION:
        raise TransferError(f"unsupported {FORMAT} version {document.get('version')!r} (expected {VERSION})")
    sections = document.get("sections")
    checksums = (
        (document.get("checksums") or {}).get("sha256")
        if isinstance(document.get("checksums"), dict)
        else None
    )
    if not isinstance(sections, dict) or not isinstance(checksums, dict):
        raise TransferError("the file has no sections or no checksums")
    for name in SECTIONS:
        if name not in sections:
            raise TransferError(f"section {name!r} is missing")
        if name not in checksums:
            raise TransferError(f"section {name!r} has no checksum")
        if section_digest(sections[name]) != checksums[name]:
            raise TransferError(
                f"section {name!r} does not match its checksum: the file was changed or damaged"
            )
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise TransferError(f"unknown section(s): {', '.join(unknown)}")
    return sections


def import_course(*, text: str | bytes, owner=None, rename_conflicts: bool = False) -> TransferReport:
    """Verify, then write the whole course in one transaction. Raises TransferError, writing nothing.

    `owner` owns the new course, banks and quizzes; without it, the exported owner's username must
    exist here.
    """
    sections = verify_document(text)
    users = _users_named(sections)
    if owner is None:
        owner_name = sections["course"]["owner"]
        owner = users.get(owner_name)
        if owner is None:
            raise TransferError(f"the course's owner {owner_name!r} has no account here: name an owner")
    report = TransferReport()
    try:
        with transaction.atomic():
            _write(sections, owner=owner, users=users, rename=rename_conflicts, report=report)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TransferError(f"the file's contents do not fit the format: {error!r}") from None
    except DatabaseError as error:
        raise TransferError(f"the database refused the import: {error}") from None
    return report


def _users_named(sections: dict) -> dict[str, Any]:
    names = {sections["course"]["owner"]}
    for name in ("sharing", "enrolments", "attempts", "submissions"):
        names.update(row["username"] for row in sections[name])
    user_model = get_user_model()
    return {user.get_username(): user for user in user_model.objects.filter(username__in=names)}


def _free_slug(slug: str, taken, limit: int) -> str:
    for number in range(2, 10_000):
        suffix = f"-{number}"
        candidate = slug[: limit - len(suffix)] + suffix
        if not taken(candidate):
            return candidate
    raise TransferError(f"no free slug near {slug!r}")


def _plan_slugs(sections: dict, *, owner, rename: bool, report: TransferReport) -> None:
    clashes: list[str] = []
    for kind, model, limit, target in (
        ("bank", Bank, MAX_BANK_SLUG_LENGTH, report.banks),
        ("quiz", Quiz, MAX_QUIZ_SLUG_LENGTH, report.quizzes),
    ):
        rows = sections["banks" if kind == "bank" else "quizzes"]
        planned: set[str] = set()

        def taken(candidate: str, model=model, planned=planned) -> bool:
            return candidate in planned or model.objects.filter(slug=candidate).exists()

        for row in rows:
            slug = row["slug"]
            existing = model.objects.filter(slug=slug).select_related("owner").first()
            if existing is None:
                target[slug] = slug
            elif rename:
                target[slug] = _free_slug(slug, taken, limit)
                report.renamed.append(f"{kind} {slug} -> {target[slug]}")
            else:
                whose = "yours" if existing.owner_id == owner.pk else "someone else's"
                clashes.append(f"{kind} {slug!r} ({whose})")
            planned.add(target.get(slug, slug))
    if clashes:
        raise TransferError(
            "these slugs already exist here: "
            + ", ".join(clashes)
            + "; nothing was imported (use --rename-conflicts to import copies under new slugs)"
        )


def _write(sections: dict, *, owner, users: dict, rename: bool, report: TransferReport) -> None:
    _plan_slugs(sections, owner=owner, rename=rename, report=report)
    counts = report.counts

    # Banks, through the bank import service, then their item versions exactly as exported.
    banks: dict[str, Bank] = {}
    versions: dict[tuple[str, str, int], ItemVersion] = {}
    items: dict[tuple[str, str], Item] = {}
    for row in sections["banks"]:
        slug = report.banks[row["slug"]]
        result = bank_import(text=row["yaml"], fmt="yaml", bank_slug=slug, owner=owner, replace=True)
        if not result.ok:
            detail = "; ".join(str(problem) for problem in result.problems[:5])
            raise TransferError(f"section 'banks': bank {row['slug']!r} could not be imported: {detail}")
        bank = Bank.objects.get(slug=slug)
        banks[row["slug"]] = bank
        for stored in bank.items.all():
            items[(row["slug"], stored.key)] = stored
        ItemVersion.objects.filter(item__bank=bank).delete()  # just made by the import; replaced below
        for key, numbered in row["versions"].items():
            versioned = items.get((row["slug"], key))
            if versioned is None:
                raise TransferError(
                    f"section 'banks': versions name item {key!r} that bank {row['slug']!r} lacks"
                )
            for version in numbered:
                versions[(row["slug"], key, version["number"])] = ItemVersion.objects.create(
                    item=versioned, number=version["number"], data=version["data"], author=owner
                )
    counts["banks"] = len(banks)
    counts["items"] = len(items)

    quizzes: dict[str, Quiz] = {}
    for row in sections["quizzes"]:
        quiz = Quiz.objects.create(
            slug=report.quizzes[row["slug"]],
            owner=owner,
            grading_policy=_choice(row["grading_policy"], GradingPolicy, "quizzes"),
            feedback_mode=_choice(row["feedback_mode"], FeedbackMode, "quizzes"),
            **{name: row[name] for name in QUIZ_FIELDS},
        )
        for rule in row["rules"]:
            if rule["bank"] is not None and rule["bank"] not in banks:
                raise TransferError(
                    f"section 'quizzes': quiz {row['slug']!r} draws from unknown bank {rule['bank']!r}"
                )
            QuizRule.objects.create(
                quiz=quiz,
                bank=banks[rule["bank"]] if rule["bank"] is not None else None,
                **{name: rule[name] for name in RULE_FIELDS},
            )
        quizzes[row["slug"]] = quiz
    counts["quizzes"] = len(quizzes)

    course = Course.objects.create(name=sections["course"]["name"], owner=owner, code=_fresh_code())
    report.course_id, report.code = course.pk, course.code

    for row, user in _rows_with_users(sections["sharing"], users, report, skipped="{role} share"):
        if user.pk != owner.pk:
            CourseShare.objects.create(
                course=course, user=user, role=_choice(row["role"], ShareRole, "sharing")
            )
    enrolled = set()
    for row, user in _rows_with_users(sections["enrolments"], users, report, skipped="enrolment"):
        enrolment = Enrollment.objects.create(course=course, student=user)
        Enrollment.objects.filter(pk=enrolment.pk).update(
            joined_at=_parse_when(row["joined_at"], "enrolments")
        )
        enrolled.add(user.pk)
    counts["enrolments"] = len(enrolled)

    for row in sections["assignments"]:
        assigned: Quiz | None = None
        if _choice(row["kind"], AssignmentKind, "assignments") == AssignmentKind.QUIZ:
            assigned = quizzes.get(row["quiz"])
            if assigned is None:
                raise TransferError(f"section 'assignments': quiz {row['quiz']!r} is not in the file")
        Assignment.objects.create(
            course=course,
            kind=row["kind"],
            quiz=assigned,
            exercise_slug=row["exercise"] if assigned is None else "",
            opens_at=_required_when(row, "opens_at", "assignments"),
            due_at=_required_when(row, "due_at", "assignments"),
        )
    counts["assignments"] = len(sections["assignments"])

    attempts = 0
    for row, user in _rows_with_users(
        sections["attempts"], users, report, skipped="attempt {number} at {quiz}"
    ):
        if row["quiz"] not in quizzes:
            raise TransferError(f"section 'attempts': quiz {row['quiz']!r} is not in the file")
        attempt = Attempt.objects.create(
            quiz=quizzes[row["quiz"]],
            student=user,
            number=row["number"],
            status=_choice(row["status"], AttemptStatus, "attempts"),
            deadline=_parse_when(row["deadline"], "attempts"),
            finished_at=_parse_when(row["finished_at"], "attempts"),
            raw_score=row["raw_score"],
            score=row["score"],
            started_at=_required_when(row, "started_at", "attempts"),
        )
        for entry in row["items"]:
            drawn = items.get((entry["bank"], entry["key"]))
            if drawn is None:
                raise TransferError(
                    f"section 'attempts': item {entry['bank']}/{entry['key']} is not in the file"
                )
            version = None
            if entry["version"] is not None:
                version = versions.get((entry["bank"], entry["key"], entry["version"]))
                if version is None:
                    raise TransferError(
                        f"section 'attempts': version {entry['version']} of {entry['bank']}/{entry['key']} is missing"
                    )
            AttemptItem.objects.create(
                attempt=attempt,
                item=drawn,
                version=version,
                **{name: entry[name] for name in ATTEMPT_ITEM_FIELDS},
                **_parsed_times(entry, ATTEMPT_ITEM_TIMES, "attempts"),
            )
        attempts += 1
    counts["attempts"] = attempts

    submissions = 0
    for row, user in _rows_with_users(
        sections["submissions"], users, report, skipped="submission for {exercise}"
    ):
        status = _choice(row["status"], Submission.Status, "submissions")
        if status == Submission.Status.RUNNING:
            status = Submission.Status.QUEUED  # its worker is on the other site: grade it here
        submission = Submission.objects.create(
            student=user,
            exercise_slug=row["exercise"],
            status=status,
            graded_at=_parse_when(row["graded_at"], "submissions"),
            **{name: row[name] for name in SUBMISSION_FIELDS},
        )
        Submission.objects.filter(pk=submission.pk).update(
            created_at=_parse_when(row["created_at"], "submissions")
        )
        submissions += 1
    counts["submissions"] = submissions


def _rows_with_users(
    rows: list[dict], users: dict[str, Any], report: TransferReport, *, skipped: str
) -> Iterator[tuple[dict, Any]]:
    """Each row with the user it names; a row naming nobody here is reported (`skipped`, filled from the row)."""
    for row in rows:
        user = users.get(row["username"])
        if user is None:
            report.skip(row["username"], skipped.format(**row))
        else:
            yield row, user


def _fresh_code() -> str:
    for _ in range(20):
        code = new_code()
        if not Course.objects.filter(code=code).exists():
            return code
    raise TransferError("could not find a free enrolment code; try again")
