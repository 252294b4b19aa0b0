"""Score passback runs off the request path: the grading workers send, a slow LMS slows nobody."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from lti.models import ScoreSync, SyncStatus
from lti.passback import runner
from lti.services.scores import push_due_scores, record_score
from tests.conftest import skip_unless_ci
from tests.lti.passback_support import worker_tick
from tests.lti.test_services import finish_with_one_right_answer, launch_learner, make_two_fact_quiz

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_LMS_SECONDS = 4.0


def test_a_slow_lms_does_not_slow_a_students_finish(platform, browser, tool_url, quiz_assignment):
    quiz = make_two_fact_quiz(quiz_assignment)
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    platform.score_delay = SLOW_LMS_SECONDS
    started = time.monotonic()
    finish_with_one_right_answer(quiz, student)
    assert time.monotonic() - started < SLOW_LMS_SECONDS
    assert platform.scores == [] and ScoreSync.objects.get().status == SyncStatus.PENDING
    worker_tick()
    assert [score["scoreGiven"] for score in platform.scores] == [0.5]
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_the_grading_worker_loop_sends_the_waiting_scores(platform, browser, tool_url, quiz_assignment):
    from grading import tasks
    from grading.sandbox.client import SandboxUnavailable
    from grading.worker import GradingWorker

    try:
        tasks.get_sandbox()
    except SandboxUnavailable as error:
        skip_unless_ci(f"this machine cannot run the grading sandbox: {error}")
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.75)
    try:
        GradingWorker(interval=0.05, batch=True, worker_id="passback-test-worker").run()  # queue empty
    finally:
        tasks.close_sandbox()
    runner.wait(timeout=60)
    assert [score["scoreGiven"] for score in platform.scores] == [0.75]


def test_a_score_being_sent_is_left_alone_by_a_second_sender(platform, browser, tool_url, quiz_assignment):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.5)
    platform.score_delay = 2.0
    first = threading.Thread(target=worker_tick)
    first.start()
    time.sleep(0.8)  # the first sender holds the score and waits for the LMS
    assert push_due_scores() == {"sent": 0, "failed": 0}
    first.join()
    assert [score["scoreGiven"] for score in platform.scores] == [0.5]
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_a_score_replaced_while_it_was_sent_is_sent_again(platform, browser, tool_url, quiz_assignment):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.5)
    platform.score_delay = 2.0
    first = threading.Thread(target=worker_tick)
    first.start()
    time.sleep(0.8)
    with transaction.atomic():  # the student finished a better attempt meanwhile
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.9)
    first.join()
    sync = ScoreSync.objects.get()
    assert (sync.status, sync.score_given) == (SyncStatus.PENDING, 0.9)  # the old send did not count for it
    platform.score_delay = 0.0
    worker_tick()
    assert [score["scoreGiven"] for score in platform.scores] == [0.5, 0.9]
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_a_claim_left_by_a_dead_sender_expires(platform, browser, tool_url, quiz_assignment, settings):
    from datetime import timedelta

    from django.utils import timezone

    from lti.services.scores import claim_length

    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.5)
    # A sender claimed it and died before answering.
    ScoreSync.objects.update(next_try_at=timezone.now() + claim_length())
    assert push_due_scores() == {"sent": 0, "failed": 0}
    later = timezone.now() + claim_length() + timedelta(seconds=1)
    assert push_due_scores(now=later) == {"sent": 1, "failed": 0}
