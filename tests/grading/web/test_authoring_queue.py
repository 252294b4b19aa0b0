"""Authors' validations and previews go through the grading workers' queue (students first), and an
owner deletes an exercise only when nothing uses it. Jobs are run by the real worker loop and sandbox."""

from datetime import timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create
from grading import tasks, worker
from grading.authoring.content import content_of
from grading.exercises import get_exercise
from grading.models import AuthoredExercise, AuthoringJob, Submission
from grading.services import queue_status
from grading.services.authoring import authored_create, authored_share_set, content_from_row
from grading.services.queue_authoring import (
    MAX_ATTEMPTS,
    MAX_PENDING_PER_AUTHOR,
    claim_next_job,
    finish_job,
    requeue_stale_jobs,
)
from tests.grading.web.test_exercise_authoring import suite_fields

SGD = content_of(get_exercise("sgd"))
REFERENCE = SGD["reference_source"]
SGD_WITHOUT_LR = "def init_state(params):\n    return {}\n\ndef step(params, grads, state, *, lr):\n    return params - grads, state\n"


def make_exercise(owner, slug="my-sgd", **changes):
    return authored_create(owner=owner, slug=slug, content={**SGD, "title": "My SGD", **changes})


@pytest.fixture
def exercise(instructor):
    return make_exercise(instructor)


@pytest.fixture
def drain(worker_sandbox):
    """Run a real grading worker (its sandbox, its claim loop) until the queue is empty."""

    def run() -> int:
        done = worker.GradingWorker(interval=0.01, batch=True, worker_id="test-worker")
        done.run()
        return done.graded

    return run


def page(name, slug):
    return reverse(f"grading:{name}", kwargs={"slug": slug})


def edit_title(client, exercise, title):
    data = {
        "title": title,
        "order": 50,
        "topics": "sgd",
        "statement_md": SGD["statement_md"],
        "reference_optimizer": "sgd",
        "hyperparameters": yaml.safe_dump(dict(SGD["hyperparameters"])),
        **suite_fields(SGD["suite"]),
        "hints": "\n".join(SGD["hints"]),
        "starter_source": SGD["starter_source"],
        "reference_source": REFERENCE,
    }
    response = client.post(page("author_exercise_edit", exercise.slug), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def queue_submissions(student, count):
    return [
        Submission.objects.create(student=student, exercise_slug="sgd", source=REFERENCE).pk
        for _ in range(count)
    ]


# ---------------------------------------------------------------- validation through the queue


def test_validating_only_queues_a_job_and_the_page_waits_until_a_worker_stores_the_result(
    instructor_client, exercise, drain
):
    response = instructor_client.post(page("author_exercise_validate", exercise.slug))
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.validation is None  # nothing ran in the request
    job = AuthoringJob.objects.get()
    assert (job.kind, job.status) == ("validate", "queued")
    assert queue_status()["authoring_queued"] == 1  # operators see it (manage.py queue_status, /readyz)

    body = instructor_client.get(page("author_exercise", exercise.slug)).content.decode()
    assert "Validation queued…" in body and '<meta http-equiv="refresh" content="2">' in body
    assert "Reload now" in body  # works without the refresh too

    assert drain() == 1
    exercise.refresh_from_db()
    assert exercise.validation["ok"] and exercise.validation["draft_digest"] == job.digest
    assert exercise.validated_digest == job.digest
    body = instructor_client.get(page("author_exercise", exercise.slug)).content.decode()
    assert "Validation queued" not in body and '<meta http-equiv="refresh"' not in body
    assert 'Last validation: <span class="correct">passed</span>' in body


def test_a_page_waiting_for_a_job_nobody_runs_stops_reloading_after_ten_minutes(instructor_client, exercise):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    AuthoringJob.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    body = instructor_client.get(page("author_exercise", exercise.slug)).content.decode()
    assert "Validation queued…" in body and '<meta http-equiv="refresh"' not in body
    assert "No grading worker has finished it yet" in body


def test_asking_again_before_it_runs_brings_the_one_waiting_validation_up_to_the_current_draft(
    instructor_client, exercise, drain
):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    edit_title(instructor_client, exercise, "Renamed")
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    (job,) = AuthoringJob.objects.all()
    assert job.content["title"] == "Renamed"
    drain()
    instructor_client.post(page("author_exercise_publish", exercise.slug))
    exercise.refresh_from_db()
    assert exercise.is_published and exercise.published["title"] == "Renamed"


def test_a_validation_of_an_earlier_draft_does_not_let_the_current_one_be_published(
    instructor_client, instructor, exercise, worker_sandbox
):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    claim = claim_next_job(worker_id="w1")
    assert claim is not None
    instructor_client.post(page("author_exercise_validate", exercise.slug))  # this draft is being validated
    assert AuthoringJob.objects.count() == 1
    edit_title(instructor_client, exercise, "Edited while validating")
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    # The new request waits: validations of one exercise run one at a time, in the order asked.
    assert claim_next_job(worker_id="w2") is None
    # Asking again for a draft whose validation is waiting or running adds nothing.
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    assert AuthoringJob.objects.count() == 2
    assert tasks.run_authoring_job(claim) == "done"

    exercise.refresh_from_db()
    assert exercise.validation["ok"]  # the earlier draft passed...
    response = instructor_client.post(page("author_exercise_publish", exercise.slug), follow=True)
    assert "Validate the exercise first" in response.content.decode()  # ...but it is not this one
    exercise.refresh_from_db()
    assert not exercise.is_published
    body = instructor_client.get(page("author_exercise", exercise.slug)).content.decode()
    assert "This report is for an earlier version of the draft" in body
    assert "Validation queued…" in body  # the current draft's own validation is next
    assert claim_next_job(worker_id="w2") is not None


def test_a_draft_that_is_not_an_exercise_fails_validation_at_once_without_a_job(instructor_client, exercise):
    AuthoredExercise.objects.filter(pk=exercise.pk).update(suite=[{"problem": "no-such-problem", "steps": 5}])
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    exercise.refresh_from_db()
    assert not AuthoringJob.objects.exists()
    assert not exercise.validation["ok"] and "no-such-problem" in exercise.validation["problems"][0]


def test_an_author_with_too_many_jobs_waiting_is_told_to_wait(instructor_client, instructor):
    slugs = [f"ex-{index}" for index in range(MAX_PENDING_PER_AUTHOR + 1)]
    for slug in slugs:
        make_exercise(instructor, slug=slug)
    for slug in slugs[:-1]:
        instructor_client.post(page("author_exercise_validate", slug))
    response = instructor_client.post(page("author_exercise_validate", slugs[-1]), follow=True)
    assert (
        f"You already have {MAX_PENDING_PER_AUTHOR} validations or previews waiting"
        in response.content.decode()
    )
    assert AuthoringJob.objects.count() == MAX_PENDING_PER_AUTHOR


# ---------------------------------------------------------------- fairness towards students


def claimed_order(*querysets):
    stamped = [(row.claimed_at, label) for qs, label in querysets for row in qs]
    return [label for _, label in sorted(stamped)]


def test_students_queued_before_or_after_go_before_an_authors_validation(
    instructor_client, exercise, student, second_student, drain
):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    queue_submissions(student, 2)
    queue_submissions(second_student, 1)
    drain()
    order = claimed_order((Submission.objects.all(), "student"), (AuthoringJob.objects.all(), "author"))
    assert order == ["student", "student", "student", "author"]
    assert Submission.objects.filter(status="graded").count() == 3


def test_an_authors_job_that_waited_too_long_goes_next_but_only_one_at_a_time(
    instructor_client, instructor, exercise, student, drain, settings
):
    settings.GRADING_AUTHORING_MAX_WAIT = 30
    other = make_exercise(instructor, slug="other-sgd")
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    instructor_client.post(page("author_exercise_validate", other.slug))
    AuthoringJob.objects.update(created_at=timezone.now() - timedelta(seconds=31))
    queue_submissions(student, 3)

    first = claim_next_job(worker_id="w1")
    assert first is not None  # overdue: ahead of the three students
    # While students wait, a second worker does not take the other overdue job as well.
    assert claim_next_job(worker_id="w2") is None
    tasks.run_authoring_job(first)

    drain()
    order = claimed_order((Submission.objects.all(), "student"), (AuthoringJob.objects.all(), "author"))
    assert order == ["author", "author", "student", "student", "student"]


def test_an_author_does_not_jump_the_students_before_the_wait_is_over(instructor_client, exercise, student):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    queue_submissions(student, 1)
    assert claim_next_job(worker_id="w1") is None
    Submission.objects.update(status="graded")
    assert claim_next_job(worker_id="w1") is not None  # idle queue: the author is served at once


def test_a_job_whose_worker_died_is_queued_again_and_the_late_result_is_discarded(
    instructor_client, exercise, drain
):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    long_ago = timezone.now() - timedelta(minutes=10)
    dead = claim_next_job(worker_id="dead", now=long_ago)
    assert requeue_stale_jobs() == [dead.job_id]
    drain()
    assert finish_job(dead, {"ok": False, "problems": ["late"]}) is False
    exercise.refresh_from_db()
    assert exercise.validation["ok"] and AuthoringJob.objects.get().attempts == 2


def test_a_job_that_keeps_killing_its_workers_is_given_up_with_the_reason(instructor_client, exercise):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    now = timezone.now()
    for n in range(MAX_ATTEMPTS):
        claim = claim_next_job(worker_id=f"w{n}", now=now)
        assert claim is not None and claim.attempt == n + 1
        now += timedelta(minutes=10)
        assert requeue_stale_jobs(now=now) == [claim.job_id]  # its worker died mid-run
    assert claim_next_job(worker_id="last", now=now) is None
    job = AuthoringJob.objects.get()
    assert (job.status, job.attempts, job.claimed_by) == ("error", MAX_ATTEMPTS + 1, "last")
    assert f"interrupted {MAX_ATTEMPTS} times" in job.error and job.finished_at is not None
    assert claim_next_job(worker_id="after", now=now) is None, "a job given up is not queued again"


# ---------------------------------------------------------------- previews through the queue


def test_a_preview_asked_twice_before_it_runs_grades_only_the_latest_code(instructor_client, exercise, drain):
    url = page("author_exercise_preview", exercise.slug)
    first = instructor_client.post(url, {"source": SGD_WITHOUT_LR})
    second = instructor_client.post(url, {"source": REFERENCE})
    assert first["Location"] == second["Location"]
    assert drain() == 1
    response = instructor_client.get(second["Location"])
    assert response.context["verdict"]["status"] == "passed"
    assert not Submission.objects.exists()


def test_an_authors_preview_is_theirs_alone(client, instructor_client, instructor, exercise, drain):
    coauthor = user_create(username="ivan", password="instructor-pass-123", instructor=True)
    authored_share_set(exercise=exercise, username=coauthor.username, role="editor")
    location = instructor_client.post(page("author_exercise_preview", exercise.slug), {"source": REFERENCE})[
        "Location"
    ]
    client.force_login(coauthor)
    assert client.get(location).status_code == 404


# ---------------------------------------------------------------- delete


def test_the_owner_deletes_an_exercise_nothing_uses(instructor_client, instructor, exercise):
    Submission.objects.create(student=instructor, exercise_slug=exercise.slug, source=REFERENCE)  # own try
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    body = instructor_client.get(page("author_exercise_delete", exercise.slug)).content.decode()
    assert "No course assigns this exercise and no student has submitted work on it" in body
    response = instructor_client.post(page("author_exercise_delete", exercise.slug))
    assert response.status_code == 302 and response["Location"] == reverse("grading:author_exercises")
    assert not AuthoredExercise.objects.exists()
    assert not AuthoringJob.objects.exists() and not Submission.objects.exists()


def test_an_exercise_a_course_assigns_is_not_deleted_and_the_page_says_why(
    instructor_client, instructor, exercise
):
    AuthoredExercise.objects.filter(pk=exercise.pk).update(published=content_from_row(exercise))
    course = course_create(owner=instructor, name="Optimizers 101")
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.EXERCISE,
        exercise_slug=exercise.slug,
        opens_at=now,
        due_at=now + timedelta(days=7),
    )
    body = instructor_client.get(page("author_exercise_delete", exercise.slug)).content.decode()
    assert "cannot be deleted while it is in use" in body and "Optimizers 101" in body
    assert "unpublish it instead" in body
    response = instructor_client.post(page("author_exercise_delete", exercise.slug), follow=True)
    assert "1 course(s) assign it (Optimizers 101)" in response.content.decode()
    assert AuthoredExercise.objects.filter(pk=exercise.pk).exists()


def test_an_exercise_students_submitted_work_on_is_not_deleted(instructor_client, exercise, student):
    Submission.objects.create(student=student, exercise_slug=exercise.slug, source=REFERENCE)
    body = instructor_client.get(page("author_exercise_delete", exercise.slug)).content.decode()
    assert "1 student submitted work on it (1 submission)" in body
    response = instructor_client.post(page("author_exercise_delete", exercise.slug), follow=True)
    assert "1 student(s) submitted work on it" in response.content.decode()
    assert AuthoredExercise.objects.filter(pk=exercise.pk).exists() and Submission.objects.count() == 1


def test_a_second_instructor_cannot_delete_the_exercise_even_as_coauthor(client, exercise, student):
    coauthor = user_create(username="ivan", password="instructor-pass-123", instructor=True)
    authored_share_set(exercise=exercise, username=coauthor.username, role="editor")
    client.force_login(coauthor)
    assert client.post(page("author_exercise_delete", exercise.slug)).status_code == 404
    assert "Delete</a>" not in client.get(page("author_exercise", exercise.slug)).content.decode()
    client.force_login(student)
    assert client.post(page("author_exercise_delete", exercise.slug)).status_code == 403
    assert AuthoredExercise.objects.filter(pk=exercise.pk).exists()
