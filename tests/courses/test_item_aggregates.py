"""The running sums behind the statistics page: incremental == recomputed, per course, self-healing."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command

from courses.models import ItemScoreSums, OptionPickCount, QuizStudentTotals
from courses.services.courses import course_create, enrollment_join
from courses.services.item_aggregates import (
    course_students,
    rebuild_student_sums,
    record_finished_attempt,
    stale_students,
)
from courses.services.item_stats import course_item_sums, quiz_item_statistics
from courses.stats import tally_choices
from quizzes.models import Attempt, AttemptItem, AttemptStatus, Item
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.courses.conftest import CHOICES, choice_id, finished_attempt

SUM_NAMES = ("n", "sum_x", "sum_x2", "sum_r", "sum_r2", "sum_xr")


def _expected_sums(quiz, student_ids) -> dict[int, tuple[float, ...]]:
    """Item id -> sums over the students' finished attempts, straight from the attempt rows."""
    expected: dict[int, list[float]] = {}
    for attempt in Attempt.objects.filter(
        quiz=quiz, student_id__in=student_ids, status=AttemptStatus.FINISHED
    ):
        rows = list(attempt.attempt_items.values_list("item_id", "score"))
        total = sum(score or 0.0 for _, score in rows)
        for item_id, score in rows:
            x, rest = score or 0.0, total - (score or 0.0)
            sums = expected.setdefault(item_id, [0, 0.0, 0.0, 0.0, 0.0, 0.0])
            for index, value in enumerate((1, x, x * x, rest, rest * rest, x * rest)):
                sums[index] += value
    return {item_id: tuple(sums) for item_id, sums in expected.items()}


def _expected_picks(quiz, student_ids, item) -> dict[str, int]:
    responses = AttemptItem.objects.filter(
        attempt__quiz=quiz,
        attempt__student_id__in=student_ids,
        attempt__status=AttemptStatus.FINISHED,
        item=item,
        answered_at__isnull=False,
    ).values_list("response", flat=True)
    options = ["true", "false"] if item.kind == "truefalse" else [choice_id(n) for n in range(len(CHOICES))]
    return tally_choices(item.kind, options, [(response, 1) for response in responses])


def _stored_rows():
    """Everything the running sums hold, in a comparable form."""
    return (
        sorted(
            (row.quiz_id, row.student_id, row.item_id, *(round(getattr(row, name), 9) for name in SUM_NAMES))
            for row in ItemScoreSums.objects.all()
        ),
        sorted(
            (row.quiz_id, row.student_id, row.item_id, row.response_key, row.count)
            for row in OptionPickCount.objects.all()
        ),
        sorted(
            (row.quiz_id, row.student_id, row.attempts, row.attempt_id_sum, round(row.raw_score_sum, 9))
            for row in QuizStudentTotals.objects.all()
        ),
    )


@pytest.fixture
def random_dataset(quiz, items, instructor, make_user):
    """Two courses sharing some students, random attempts (random item subsets, scores and responses)."""
    rng = random.Random(20260301)
    multiple = Item.objects.create(
        bank=items[0].bank,
        key="momentum-facts",
        kind="multiple",
        stem="Which hold?",
        position=4,
        spec={"choices": CHOICES},
    )
    pool = [*items, multiple]
    first = course_create(owner=instructor, name="Morning group")
    second = course_create(owner=instructor, name="Evening group")
    students = [make_user(f"random{n:02d}") for n in range(14)]
    # Students 0-8 are in the first course, 6-12 in the second (6-8 in both), 13 in neither.
    for student in students[:9]:
        enrollment_join(student=student, code=first.code)
    for student in students[6:13]:
        enrollment_join(student=student, code=second.code)
    attempts = []
    for student in students:
        for number in range(1, rng.randint(1, 4) + 1):
            drawn = rng.sample(pool, rng.randint(1, len(pool)))
            scored, responses = [], {}
            for item in drawn:
                score = rng.choice([0.0, 0.5, 1.0, 1.0, None])
                scored.append((item, score))
                if item.kind == "single" and score is not None:
                    responses[item.key] = choice_id(rng.randrange(3))
                elif item.kind == "multiple" and score is not None:
                    responses[item.key] = [choice_id(n) for n in range(3) if rng.random() < 0.5]
                elif item.kind == "truefalse" and score is not None:
                    responses[item.key] = rng.choice([True, False, "false"])
            attempt = finished_attempt(quiz, student, number, scored, responses=responses)
            if rng.random() < 0.15:  # an attempt still running must never count
                Attempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.IN_PROGRESS)
            else:
                attempts.append(attempt)
    rng.shuffle(attempts)  # finishing order must not matter
    return {"courses": (first, second), "students": students, "attempts": attempts, "pool": pool}


def test_incremental_sums_equal_a_recomputation_from_scratch(quiz, random_dataset):
    for attempt in random_dataset["attempts"]:
        record_finished_attempt(attempt)
    incremental = _stored_rows()
    for course in random_dataset["courses"]:
        enrolled = list(course_students(course.pk).values_list("student_id", flat=True))
        assert stale_students(quiz.pk, course_students(course.pk)) == []
        from_sums = {
            item_id: tuple(getattr(sums, name) for name in SUM_NAMES)
            for item_id, sums in course_item_sums(course, quiz).items()
        }
        expected = _expected_sums(quiz, enrolled)
        assert from_sums.keys() == expected.keys()
        for item_id, values in expected.items():
            assert from_sums[item_id] == pytest.approx(values)
        stats = quiz_item_statistics(course=course, quiz=quiz)
        for stat in stats.items:
            if stat.options:
                counted = {option.id: option.count for option in stat.options}
                assert counted == _expected_picks(quiz, enrolled, stat.item)
        finished = Attempt.objects.filter(quiz=quiz, student_id__in=enrolled, status=AttemptStatus.FINISHED)
        assert stats.attempts == finished.count()

    student_ids = [student.pk for student in random_dataset["students"]]
    ItemScoreSums.objects.all().delete()
    OptionPickCount.objects.all().delete()
    QuizStudentTotals.objects.all().delete()
    rebuild_student_sums(quiz.pk, student_ids)
    assert _stored_rows() == incremental


def test_the_two_courses_see_different_numbers_from_the_same_quiz(quiz, random_dataset):
    first, second = random_dataset["courses"]
    by_first = quiz_item_statistics(course=first, quiz=quiz)
    by_second = quiz_item_statistics(course=second, quiz=quiz)
    assert by_first.attempts != by_second.attempts
    in_first = Attempt.objects.filter(
        quiz=quiz, status=AttemptStatus.FINISHED, student__enrollments__course=first
    ).count()
    assert by_first.attempts == in_first


def test_a_deleted_attempt_is_noticed_and_its_student_rebuilt(course, quiz, items, make_user, enrol):
    student = make_user("eve")
    enrol(student)
    kept = finished_attempt(quiz, student, 1, [(items[0], 1.0), (items[1], 0.0)])
    dropped = finished_attempt(quiz, student, 2, [(items[0], 0.0), (items[1], 1.0)])
    record_finished_attempt(kept)
    record_finished_attempt(dropped)
    dropped.delete()
    assert stale_students(quiz.pk, course_students(course.pk)) == [student.pk]
    stats = quiz_item_statistics(course=course, quiz=quiz)
    assert stats.attempts == 1
    assert {stat.item.key: stat.facility for stat in stats.items} == {"why-momentum": 1.0, "step-size": 0.0}
    assert stale_students(quiz.pk, course_students(course.pk)) == []


def test_attempts_finished_before_the_sums_existed_are_counted_on_the_first_view(
    course, quiz, items, make_user, enrol
):
    student = make_user("early")
    enrol(student)
    finished_attempt(quiz, student, 1, [(item, 1.0) for item in items])  # never recorded
    assert not QuizStudentTotals.objects.exists()
    assert quiz_item_statistics(course=course, quiz=quiz).attempts == 1
    assert QuizStudentTotals.objects.get(student=student).attempts == 1


def test_backfill_command_rebuilds_every_quiz_and_rejects_unknown_slugs(
    course, quiz, items, make_user, enrol
):
    students = [make_user(f"back{n}") for n in range(3)]
    for number, student in enumerate(students, start=1):
        enrol(student)
        finished_attempt(quiz, student, 1, [(items[0], number / 3), (items[2], 1.0)])
    out = io.StringIO()
    call_command("backfill_item_sums", stdout=out)
    assert "momentum-check: 3 finished attempts by 3 students" in out.getvalue()
    assert stale_students(quiz.pk, course_students(course.pk)) == []
    before = _stored_rows()
    with pytest.raises(CommandError, match="no-such-quiz"):
        call_command("backfill_item_sums", quiz=["no-such-quiz"], stdout=io.StringIO())
    assert _stored_rows() == before


def test_finishing_through_the_quiz_service_updates_the_sums_in_the_same_transaction(
    course, quiz, items, student, enrol
):
    from quizzes.models import QuizRule

    QuizRule.objects.create(quiz=quiz, bank=items[0].bank, count=3)
    enrol(student)
    attempt = attempt_start(quiz=quiz, student=student)
    attempt_finish(attempt=attempt)
    # No page view in between: the sums are current the moment the attempt is finished.
    assert stale_students(quiz.pk, course_students(course.pk)) == []
    assert QuizStudentTotals.objects.get(quiz=quiz, student=student).attempts == 1
