"""The LMS receives the course's score that counts: late penalties, extensions and overrides follow the
course's grade policy, against the simulated LMS over loopback HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.services.courses import assignment_update
from lti.models import PlatformAccount
from quizzes.models import Bank, Item, QuizRule
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.manual_grading import grade_answer
from tests.lti.passback_support import worker_tick
from tests.lti.platform import LEARNER

pytestmark = pytest.mark.django_db(transaction=True)


def _launch_learner(platform, browser, tool_url, assignment, subject="student-42"):
    response = platform.launch(
        browser, tool_url, subject=subject, roles=[LEARNER], custom={"descent_assignment": str(assignment.pk)}
    )
    assert response.status_code == 302
    return PlatformAccount.objects.get(subject=subject).user


def _finish_half_right(assignment, student):
    """The student finishes the assignment's quiz with one of its two true/false items right: 50%."""
    quiz, owner = assignment.quiz, assignment.course.owner
    if not quiz.rules.exists():
        bank = Bank.objects.create(slug="policy-bank", name="Policy bank", owner=owner)
        for position, answer in enumerate((True, False)):
            Item.objects.create(
                bank=bank,
                key=f"fact-{position}",
                kind="truefalse",
                stem="Fact?",
                position=position,
                spec={"answer": answer},
            )
        QuizRule.objects.create(quiz=quiz, bank=bank, count=2)
        quiz.owner, quiz.published = owner, True
        quiz.save()
    attempt = attempt_start(quiz=quiz, student=student)
    first = attempt.attempt_items.select_related("item").order_by("position").first()
    attempt_answer(attempt_item=first, student=student, response=first.item.spec["answer"])
    return attempt_finish(attempt=attempt)


def test_an_override_saved_on_the_gradebook_reaches_the_lms_and_its_removal_too(
    platform, browser, tool_url, quiz_assignment
):
    student = _launch_learner(platform, browser, tool_url, quiz_assignment)
    _finish_half_right(quiz_assignment, student)
    worker_tick()
    assert [s["scoreGiven"] for s in platform.scores] == [0.5]

    staff = Client()
    staff.force_login(quiz_assignment.course.owner)
    url = reverse("courses:grade_cell", args=[quiz_assignment.course_id, student.pk, quiz_assignment.pk])
    response = staff.post(url, {"action": "override", "override-score": "90", "override-reason": "re-marked"})
    assert response.status_code == 302
    worker_tick()
    assert [s["scoreGiven"] for s in platform.scores] == [0.5, 0.9]
    latest = platform.scores[-1]
    assert latest["userId"] == "student-42" and latest["gradingProgress"] == "FullyGraded"

    response = staff.post(url, {"action": "clear_override", "clear-override-reason": "entered in error"})
    assert response.status_code == 302
    worker_tick()
    assert [s["scoreGiven"] for s in platform.scores] == [0.5, 0.9, 0.5]


def test_a_late_attempt_reaches_the_lms_with_the_late_penalty_and_an_extension_lifts_it(
    platform, browser, tool_url, quiz_assignment
):
    now = timezone.now()
    assignment_update(
        assignment=quiz_assignment,
        opens_at=now - timedelta(days=3),
        due_at=now - timedelta(hours=20),  # finishing now is less than a day late: 10% off
        late_penalty_per_day=10,
        late_penalty_cap=50,
    )
    student = _launch_learner(platform, browser, tool_url, quiz_assignment)
    _finish_half_right(quiz_assignment, student)
    worker_tick()
    assert [s["scoreGiven"] for s in platform.scores] == [pytest.approx(0.45)]

    staff = Client()
    staff.force_login(quiz_assignment.course.owner)
    url = reverse("courses:grade_cell", args=[quiz_assignment.course_id, student.pk, quiz_assignment.pk])
    new_due = timezone.localtime(now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = staff.post(url, {"action": "extension", "extension-due_at": new_due})
    assert response.status_code == 302
    worker_tick()
    assert [s["scoreGiven"] for s in platform.scores] == [pytest.approx(0.45), 0.5]


def test_a_score_with_an_essay_awaiting_grading_is_sent_as_pending_manual_then_fully_graded(
    platform, browser, tool_url, quiz_assignment
):
    quiz, owner = quiz_assignment.quiz, quiz_assignment.course.owner
    bank = Bank.objects.create(slug="essay-bank", name="Essay bank", owner=owner)
    Item.objects.create(
        bank=bank, key="fact", kind="truefalse", stem="Fact?", position=0, spec={"answer": True}
    )
    Item.objects.create(bank=bank, key="why", kind="essay", stem="Why?", position=1, spec={})
    QuizRule.objects.create(quiz=quiz, bank=bank, count=2)
    quiz.owner, quiz.published = owner, True
    quiz.save()
    student = _launch_learner(platform, browser, tool_url, quiz_assignment)
    attempt = attempt_start(quiz=quiz, student=student)
    for attempt_item in attempt.attempt_items.select_related("item"):
        response = True if attempt_item.item.kind == "truefalse" else "Because momentum averages."
        attempt_answer(attempt_item=attempt_item, student=student, response=response)
    attempt_finish(attempt=attempt)
    worker_tick()

    # The true/false item is right and the essay counts 0 until graded: 50 %, and the LMS is told so.
    waiting = platform.scores[-1]
    assert (waiting["scoreGiven"], waiting["activityProgress"], waiting["gradingProgress"]) == (
        0.5,
        "Completed",
        "PendingManual",
    )

    grade_answer(
        attempt_item=attempt.attempt_items.get(item__kind="essay"), score=1.0, comment="Right.", by=owner
    )
    worker_tick()

    graded = platform.scores[-1]
    assert (graded["scoreGiven"], graded["gradingProgress"]) == (1.0, "FullyGraded")
