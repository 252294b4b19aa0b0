from datetime import timedelta

import pytest
from django.utils import timezone

import grading.access
from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create, enrollment_join
from grading.models import Submission
from grading.services import (
    MAX_SOURCE_BYTES,
    SubmissionRejected,
    best_scores_for,
    claim_next,
    get_submission_for_user,
    last_source_for,
    submission_create,
    submissions_for_instructor,
)


def test_a_submission_is_stored_queued_and_is_the_next_job_of_the_grading_queue(student, sgd):
    submission = submission_create(student=student, exercise=sgd, source=sgd.starter_source)
    assert submission.status == Submission.Status.QUEUED
    claim = claim_next(worker_id="w1")
    assert claim is not None and claim.submission_id == submission.pk


def test_the_exercise_may_be_given_by_slug(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(student=student, exercise="adam", source="x = 1\n")
    assert submission.exercise_slug == "adam"


def test_source_over_64_kb_is_rejected_and_nothing_is_stored(student, sgd):
    too_big = "#" * (MAX_SOURCE_BYTES - 1) + "\n" + "x = 1\n"
    with pytest.raises(SubmissionRejected, match="64 KB"):
        submission_create(student=student, exercise=sgd, source=too_big)
    assert not Submission.objects.exists()


def test_source_of_exactly_64_kb_is_accepted(student, sgd, django_capture_on_commit_callbacks):
    exact = "#" * (MAX_SOURCE_BYTES - 1) + "\n"
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(student=student, exercise=sgd, source=exact)
    assert len(submission.source.encode()) == MAX_SOURCE_BYTES


def test_size_is_counted_in_utf8_bytes_not_characters(student, sgd):
    # 30 000 three-byte characters are 90 KB on the wire although only 30 000 characters long.
    with pytest.raises(SubmissionRejected):
        submission_create(student=student, exercise=sgd, source="# " + "€" * 30_000)


@pytest.mark.parametrize("source", ["", "   \n\t", None, b"bytes are not text", "x = 1\x00"])
def test_empty_or_non_text_source_is_rejected(student, sgd, source):
    with pytest.raises(SubmissionRejected):
        submission_create(student=student, exercise=sgd, source=source)
    assert not Submission.objects.exists()


def test_unknown_exercise_is_rejected(student):
    with pytest.raises(SubmissionRejected, match="no exercise"):
        submission_create(student=student, exercise="gradient-teleport", source="x = 1\n")


def test_windows_line_endings_are_normalised(student, sgd, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(student=student, exercise=sgd, source="a = 1\r\nb = 2\r\n")
    assert submission.source == "a = 1\nb = 2\n"


def test_students_fetch_only_their_own_submissions(student, second_student, instructor):
    mine = Submission.objects.create(student=student, exercise_slug="sgd", source="x = 1")
    assert get_submission_for_user(student, mine.pk) == mine
    with pytest.raises(Submission.DoesNotExist):
        get_submission_for_user(second_student, mine.pk)


def test_instructors_fetch_submissions_of_their_courses_students_only(student, second_student, instructor):
    course = course_create(owner=instructor, name="Optimizers")
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.EXERCISE,
        exercise_slug="sgd",
        opens_at=now,
        due_at=now + timedelta(days=7),
    )
    enrollment_join(student=student, code=course.code)
    taught = Submission.objects.create(student=student, exercise_slug="sgd", source="x = 1")
    not_taught = Submission.objects.create(student=second_student, exercise_slug="sgd", source="x = 2")
    own = Submission.objects.create(student=instructor, exercise_slug="adam", source="x = 3")
    assert get_submission_for_user(instructor, taught.pk) == taught
    assert get_submission_for_user(instructor, own.pk) == own
    with pytest.raises(Submission.DoesNotExist):
        get_submission_for_user(instructor, not_taught.pk)


def test_missing_and_malformed_ids_look_the_same_as_someone_elses(student):
    for bad_id in (999_999, "abc", None):
        with pytest.raises(Submission.DoesNotExist):
            get_submission_for_user(student, bad_id)


def test_best_score_counts_only_graded_submissions(student, second_student):
    Submission.objects.create(student=student, exercise_slug="sgd", source="a", status="graded", score=0.4)
    Submission.objects.create(student=student, exercise_slug="sgd", source="b", status="graded", score=0.9)
    Submission.objects.create(student=student, exercise_slug="adam", source="c", status="queued", score=None)
    Submission.objects.create(
        student=second_student, exercise_slug="adam", source="d", status="graded", score=1.0
    )
    assert best_scores_for(student) == {"sgd": 0.9}


def test_the_editor_starts_from_the_latest_submission(student):
    Submission.objects.create(student=student, exercise_slug="sgd", source="first")
    Submission.objects.create(student=student, exercise_slug="sgd", source="second")
    assert last_source_for(student, "sgd") == "second"
    assert last_source_for(student, "adam") is None


def test_until_a_rule_says_whom_an_instructor_teaches_they_see_no_other_students_code(
    student, instructor, monkeypatch
):
    # Grading does not know courses: the courses app registers the rule at start-up.
    course = course_create(owner=instructor, name="Optimizers")
    enrollment_join(student=student, code=course.code)
    taught = Submission.objects.create(student=student, exercise_slug="sgd", source="x = 1")
    own = Submission.objects.create(student=instructor, exercise_slug="adam", source="x = 3")
    monkeypatch.setattr(grading.access, "_rules", None)
    with pytest.raises(Submission.DoesNotExist):
        get_submission_for_user(instructor, taught.pk)
    assert get_submission_for_user(instructor, own.pk) == own
    assert list(submissions_for_instructor(viewer=instructor)) == []
