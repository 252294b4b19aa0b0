"""Progress and course statistics hear about quiz and grading events through real commits.

These tests let the database commit (no enclosing test transaction), so the events go out exactly
as they do on the site: after the finishing or grading transaction commits.
"""

import pytest

from courses.models import QuizStudentTotals
from courses.services.courses import course_create, enrollment_join
from grading import events
from grading.models import Submission
from progress.models import Activity, StudentProgress
from progress.xp import EXERCISE_XP, ITEM_XP
from quizzes.models import Quiz, QuizRule
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_finish_updates_progress_and_the_course_sums(student, instructor, make_item):
    course = course_create(owner=instructor, name="Optimizers")
    enrollment_join(student=student, code=course.code)
    make_item("heard", topics=["adam"])
    quiz = Quiz.objects.create(slug="heard-quiz", title="Heard quiz")
    QuizRule.objects.create(quiz=quiz, count=1)
    attempt = attempt_start(quiz=quiz, student=student)
    attempt_answer(attempt_item=attempt.attempt_items.get(), student=student, response=True)
    attempt_finish(attempt=attempt)
    assert Activity.objects.filter(student=student, source_id=attempt.pk).exists()
    assert StudentProgress.objects.get(student=student).xp == ITEM_XP
    assert QuizStudentTotals.objects.get(quiz=quiz, student=student).attempts == 1


def test_a_committed_verdict_announced_by_grading_updates_progress(student):
    submission = Submission.objects.create(
        student=student,
        exercise_slug="sgd",
        source="x = 1",
        status=Submission.Status.GRADED,
        passed=True,
        score=1.0,
        verdict={"status": "passed", "score": 1.0, "diagnosis": [], "problems": []},
    )
    events.send_on_commit(events.submission_graded, submission_id=submission.pk)  # no transaction: sent now
    assert StudentProgress.objects.get(student=student).xp == EXERCISE_XP
