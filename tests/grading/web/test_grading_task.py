"""The grading task end to end, run synchronously through the real sandbox."""

import time
from unittest import mock

import pytest

from grading import tasks
from grading.models import Submission
from grading.sandbox.client import SandboxUnavailable
from tests.grading.web.conftest import ADAM_WITHOUT_BIAS_CORRECTION


@pytest.fixture
def submit(student, worker_sandbox):
    def make(exercise_slug: str, source: str) -> Submission:
        return Submission.objects.create(student=student, exercise_slug=exercise_slug, source=source)

    return make


def grade(submission: Submission) -> str:
    outcome = tasks.grade_submission(submission.pk)
    submission.refresh_from_db()
    return outcome


def test_the_reference_solution_is_graded_passed(submit, adam):
    submission = submit("adam", adam.reference_source)
    assert grade(submission) == "graded"
    assert (submission.status, submission.passed, submission.score) == ("graded", True, 1.0)
    assert submission.verdict["status"] == "passed"
    assert submission.verdict["step_calls"] > 0
    assert submission.graded_at is not None and submission.attempts == 1


def test_adam_without_bias_correction_is_graded_failed_and_diagnosed(submit):
    submission = submit("adam", ADAM_WITHOUT_BIAS_CORRECTION)
    grade(submission)
    assert submission.status == "graded" and not submission.passed
    assert 0 <= submission.score < 1
    assert submission.verdict["diagnosis"], "a catalogued mistake must be named"
    departed = [p for p in submission.verdict["problems"] if p["first_divergent_step"] is not None]
    assert departed and departed[0]["student_value"] != departed[0]["reference_value"]


def test_code_that_does_not_load_is_graded_as_not_gradable(submit):
    submission = submit("sgd", "def step(:\n")
    grade(submission)
    assert submission.status == "graded"
    assert submission.verdict["status"] == "error"
    assert submission.verdict["sandbox_outcome"] == "load_error"
    assert not submission.passed and submission.score == 0


def test_a_second_task_for_a_graded_submission_changes_nothing(submit, sgd):
    submission = submit("sgd", sgd.reference_source)
    grade(submission)
    verdict, graded_at = submission.verdict, submission.graded_at
    assert grade(submission) == "not-claimed"
    assert (submission.verdict, submission.graded_at, submission.attempts) == (verdict, graded_at, 1)


def test_without_a_sandbox_the_submission_goes_back_to_the_queue_unjudged(submit, sgd):
    submission = submit("sgd", sgd.reference_source)
    with mock.patch.object(tasks, "get_sandbox", side_effect=SandboxUnavailable("no namespaces")):
        with pytest.raises(SandboxUnavailable):
            tasks.grade_submission(submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.verdict, submission.attempts) == ("queued", None, 0)


def test_a_grader_bug_is_recorded_as_a_grading_error_not_as_the_students_fault(submit, sgd):
    submission = submit("sgd", sgd.reference_source)
    with mock.patch("grading.tasks.grade_source", side_effect=RuntimeError("boom")):
        assert grade(submission) == "grader-error"
    assert submission.status == "error"
    assert "grader failed" in submission.grading_error and submission.verdict is None


def test_progress_hears_about_each_stored_verdict_once(submit, sgd, django_capture_on_commit_callbacks):
    submission = submit("sgd", sgd.reference_source)
    # The announcement goes out on commit; the test's transaction never commits, so run it by hand.
    with mock.patch("progress.events.submission_graded") as graded:
        with django_capture_on_commit_callbacks(execute=True):
            grade(submission)
        with django_capture_on_commit_callbacks(execute=True):
            grade(submission)  # a duplicate task stores nothing, so it tells nobody
    assert graded.call_count == 1
    assert graded.call_args.args[0].pk == submission.pk


def test_a_failing_progress_update_does_not_undo_the_grade(submit, sgd, django_capture_on_commit_callbacks):
    submission = submit("sgd", sgd.reference_source)
    with mock.patch(
        "progress.events.submission_graded", side_effect=RuntimeError("progress is down")
    ) as graded:
        with django_capture_on_commit_callbacks(execute=True):
            assert grade(submission) == "graded"
    assert graded.call_count == 1  # the listener did run, and its failure stayed its own
    assert submission.status == "graded" and submission.passed


SLEEPS = """
import time

def init_state(params):
    return {}

def step(params, grads, state, *, lr):
    time.sleep(30)
    return params - lr * grads, state
"""


def test_code_that_sleeps_holds_the_worker_only_for_the_cpu_limit_plus_a_small_margin(submit, settings):
    from grading.grader import WALL_MARGIN_SECONDS

    submission = submit("sgd", SLEEPS)
    started = time.monotonic()
    assert grade(submission) == "graded"
    took = time.monotonic() - started
    assert submission.verdict["sandbox_outcome"] == "timeout"
    limit = settings.GRADING_CPU_SECONDS + WALL_MARGIN_SECONDS
    assert f"at most {limit:g} s" in submission.verdict["message"]
    assert took < limit + 1.0, f"a sleeping submission held the worker for {took:.1f} s"
