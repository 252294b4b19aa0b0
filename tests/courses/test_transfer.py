"""Exporting a course as checksummed JSON and importing it elsewhere (courses.services.transfer)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.dateparse import parse_datetime

from courses.models import Assignment, AssignmentKind, Course, CourseShare, Enrollment
from courses.services.courses import assignment_create, course_share_set
from courses.services.transfer import TransferError, export_course, import_course, section_digest
from grading.models import Submission
from quizzes.models import Attempt, AttemptItem, Bank, Item, ItemVersion, Quiz, QuizRule
from quizzes.services.versions import item_version_current

from .conftest import DUE, OPENS, finished_attempt, graded_submission


@pytest.fixture
def full_course(course, quiz, items, enrol, make_user, quiz_assignment):
    """A course with a sharer, two students, a quiz drawing from a bank, attempts and submissions."""
    bank = items[0].bank
    QuizRule.objects.create(quiz=quiz, bank=bank, count=3, kinds=["single", "numeric"], position=0)
    quiz.penalty_per_extra_attempt = 0.1
    quiz.save()
    assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="momentum", opens_at=OPENS, due_at=DUE
    )
    course_share_set(course=course, username=make_user("tess", instructor=True).username, role="viewer")
    ann, bob = make_user("ann"), make_user("bob")
    enrol(ann)
    enrol(bob)
    for item in items:
        item.explanation = f"Why {item.key} is so."  # bank files require one
        if "tolerance" in item.spec:
            item.spec["tolerance"] = {"mode": "absolute", "value": 0.01}
        item.save()
        item_version_current(item=item)
    attempt = finished_attempt(
        quiz, ann, 1, [(items[0], 1.0), (items[1], 0.0)], responses={"why-momentum": "c1", "step-size": "7"}
    )
    for row in attempt.attempt_items.all():
        row.version = row.item.versions.get(number=1)
        row.save()
    # The item is edited after the attempt: the attempt keeps version 1, the bank now has version 2.
    items[1].stem = "What step does SGD take?"
    items[1].save()
    item_version_current(item=items[1])
    finished_attempt(quiz, bob, 1, [(items[2], 0.5)], finished_at=OPENS + timedelta(days=2))
    graded_submission(ann, "momentum", passed=True, score=0.9, at=OPENS + timedelta(days=3))
    graded_submission(bob, "adam", passed=True, score=1.0, at=OPENS + timedelta(days=3))  # not assigned
    return course


def _snapshot():
    """What the import must reproduce, by natural keys only (ids differ after a move)."""
    course = Course.objects.get()
    return {
        "course": course.name,
        "owner": course.owner.username,
        "shares": sorted(CourseShare.objects.values_list("user__username", "role")),
        "enrolments": sorted(Enrollment.objects.values_list("student__username", "joined_at")),
        "assignments": sorted(
            Assignment.objects.values_list("kind", "quiz__slug", "exercise_slug", "opens_at", "due_at"),
            key=repr,
        ),
        "quiz": list(
            Quiz.objects.values_list("slug", "title", "penalty_per_extra_attempt", "grading_policy")
        ),
        "rules": list(QuizRule.objects.values_list("quiz__slug", "bank__slug", "kinds", "count")),
        "items": sorted(
            (item.bank.slug, item.to_dict()["key"], json.dumps(item.to_dict(), sort_keys=True))
            for item in Item.objects.select_related("bank")
        ),
        "versions": sorted(ItemVersion.objects.values_list("item__key", "number", "data"), key=repr),
        "attempts": sorted(
            Attempt.objects.values_list(
                "quiz__slug", "student__username", "number", "status", "raw_score", "score", "finished_at"
            )
        ),
        "attempt_items": sorted(
            AttemptItem.objects.values_list(
                "attempt__student__username",
                "position",
                "item__key",
                "version__number",
                "version__data",
                "response",
                "score",
            ),
            key=repr,
        ),
        "submissions": sorted(
            Submission.objects.values_list(
                "student__username", "exercise_slug", "source", "status", "score", "passed", "created_at"
            )
        ),
    }


def _delete_everything():
    Submission.objects.all().delete()
    Course.objects.all().delete()  # cascades to enrolments, shares and assignments
    Attempt.objects.all().delete()
    Quiz.objects.all().delete()
    Bank.objects.all().delete()


def test_a_course_moved_into_an_empty_database_keeps_everything(full_course, tmp_path):
    Submission.objects.filter(exercise_slug="adam").delete()  # not part of the course: left out
    before = _snapshot()
    old_code = full_course.code
    path = tmp_path / "course.json"
    call_command("export_course", str(full_course.pk), "--output", str(path))
    _delete_everything()
    assert not Item.objects.exists() and not Attempt.objects.exists()

    call_command("import_course", str(path))

    assert _snapshot() == before
    assert Course.objects.get().code != old_code  # a fresh enrolment code
    assert AttemptItem.objects.get(item__key="step-size").version.data["stem"] == "Step?"


def test_an_export_leaves_out_submissions_for_exercises_the_course_does_not_assign(full_course):
    sections = export_course(course=full_course)["sections"]
    assert [row["exercise"] for row in sections["submissions"]] == ["momentum"]


def test_a_changed_byte_fails_the_checksum_naming_the_section(full_course, tmp_path):
    text = json.dumps(export_course(course=full_course))
    tampered = text.replace('"score": 0.9', '"score": 1.0', 1)
    assert tampered != text
    with pytest.raises(TransferError, match="section 'submissions' does not match its checksum"):
        import_course(text=tampered)

    path = tmp_path / "course.json"
    path.write_text(tampered)
    with pytest.raises(CommandError, match="Nothing was imported: section 'submissions'"):
        call_command("import_course", str(path))
    assert Course.objects.count() == 1


def test_a_truncated_file_is_refused(full_course):
    text = json.dumps(export_course(course=full_course))
    with pytest.raises(TransferError, match="not valid JSON"):
        import_course(text=text[: len(text) // 2])


def test_a_missing_section_is_refused_by_name(full_course):
    document = export_course(course=full_course)
    del document["sections"]["attempts"]
    with pytest.raises(TransferError, match="section 'attempts' is missing"):
        import_course(text=json.dumps(document))


def test_a_second_import_refuses_clashing_slugs_and_writes_nothing(full_course, make_user):
    text = json.dumps(export_course(course=full_course))
    counts = (Course.objects.count(), Quiz.objects.count(), Bank.objects.count(), Attempt.objects.count())
    other = make_user("olga", instructor=True)
    with pytest.raises(TransferError) as refused:
        import_course(text=text, owner=other)
    message = str(refused.value)
    assert "bank 'course-tests' (someone else's)" in message
    assert "quiz 'momentum-check'" in message
    assert "nothing was imported" in message
    assert (
        Course.objects.count(),
        Quiz.objects.count(),
        Bank.objects.count(),
        Attempt.objects.count(),
    ) == counts


def test_renaming_conflicts_imports_a_copy_under_free_slugs(full_course):
    text = json.dumps(export_course(course=full_course))
    report = import_course(text=text, rename_conflicts=True)
    assert report.banks == {"course-tests": "course-tests-2"}
    assert report.quizzes == {"momentum-check": "momentum-check-2"}
    copy = Course.objects.get(pk=report.course_id)
    assert copy.assignments.get(kind=AssignmentKind.QUIZ).quiz.slug == "momentum-check-2"
    assert QuizRule.objects.get(quiz__slug="momentum-check-2").bank.slug == "course-tests-2"
    assert Attempt.objects.filter(quiz__slug="momentum-check-2").count() == 2
    assert Item.objects.filter(bank__slug="course-tests-2").count() == 3


def test_users_missing_on_the_target_are_reported_not_invented(full_course, tmp_path, capsys):
    text = json.dumps(export_course(course=full_course))
    _delete_everything()
    users = get_user_model().objects
    users.filter(username__in=["bob", "tess"]).delete()

    report = import_course(text=text)

    assert not users.filter(username__in=["bob", "tess"]).exists()
    assert report.missing_users == {
        "bob": ["enrolment", "attempt 1 at momentum-check"],
        "tess": ["viewer share"],
    }
    assert list(Enrollment.objects.values_list("student__username", flat=True)) == ["ann"]
    assert list(Attempt.objects.values_list("student__username", flat=True)) == ["ann"]
    assert "no user 'bob' here" in "\n".join(report.lines())


def test_an_import_needs_an_owner_who_exists_here(full_course):
    text = json.dumps(export_course(course=full_course))
    _delete_everything()
    get_user_model().objects.filter(username="iris").delete()
    with pytest.raises(TransferError, match="owner 'iris' has no account here"):
        import_course(text=text)
    assert not Quiz.objects.exists()


def _resealed(document: dict) -> str:
    """The document with checksums recomputed, as someone editing the file on purpose would."""
    document["checksums"]["sha256"] = {
        name: section_digest(value) for name, value in document["sections"].items()
    }
    return json.dumps(document)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("status", "graded-by-me", "section 'attempts': 'graded-by-me' is not one of"),
        ("started_at", None, "section 'attempts': a row has no started_at"),
    ],
    ids=["an-impossible-status", "no-start-time"],
)
def test_a_resealed_file_with_an_impossible_attempt_is_refused_and_writes_nothing(
    full_course, field, value, message
):
    document = export_course(course=full_course)
    document["sections"]["attempts"][0][field] = value
    counts = (Course.objects.count(), Quiz.objects.count(), Attempt.objects.count())
    with pytest.raises(TransferError, match=message):
        import_course(text=_resealed(document), rename_conflicts=True)
    assert (Course.objects.count(), Quiz.objects.count(), Attempt.objects.count()) == counts


def test_an_imported_attempt_keeps_its_start_time(full_course):
    document = export_course(course=full_course)
    document["sections"]["attempts"][0]["started_at"] = "2026-09-07T08:15:30.250000+00:00"
    import_course(text=_resealed(document), rename_conflicts=True)
    assert Attempt.objects.filter(started_at=parse_datetime("2026-09-07T08:15:30.250000+00:00")).count() == 1


def test_a_resealed_file_with_a_missing_field_is_refused_with_a_message(full_course):
    document = export_course(course=full_course)
    del document["sections"]["submissions"][0]["source"]
    with pytest.raises(TransferError, match="do not fit the format"):
        import_course(text=_resealed(document), rename_conflicts=True)
    assert Course.objects.count() == 1


def test_the_import_command_gives_the_course_to_the_named_owner(full_course, make_user, tmp_path):
    path = tmp_path / "course.json"
    call_command("export_course", str(full_course.pk), "--output", str(path))
    make_user("nina", instructor=True)
    call_command("import_course", str(path), "--owner", "nina", "--rename-conflicts")
    copy = Course.objects.get(owner__username="nina")
    assert copy.assignments.count() == 2
    assert Quiz.objects.get(slug="momentum-check-2").owner.username == "nina"
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_course", str(path), "--owner", "nobody", "--rename-conflicts")


def test_an_export_warns_about_bank_items_an_import_would_refuse(full_course, tmp_path, capsys):
    Item.objects.filter(key="adam-bias").update(explanation="")
    path = tmp_path / "course.json"
    call_command("export_course", str(full_course.pk), "--output", str(path))
    warnings = capsys.readouterr().err
    assert "Warning: bank 'course-tests'" in warnings and "adam-bias" in warnings
    with pytest.raises(CommandError, match="bank 'course-tests' could not be imported"):
        call_command("import_course", str(path), "--rename-conflicts")
    assert Course.objects.count() == 1
