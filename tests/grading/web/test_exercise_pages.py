import json

import pytest
from django.urls import reverse

from grading import tasks
from grading.models import Submission
from grading.services import MAX_SOURCE_BYTES
from tests.grading.web.conftest import ADAM_WITHOUT_BIAS_CORRECTION


def test_the_exercise_list_shows_every_exercise_and_the_students_best_score(student_client, student):
    Submission.objects.create(student=student, exercise_slug="adam", source="a", status="graded", score=0.35)
    Submission.objects.create(student=student, exercise_slug="adam", source="b", status="graded", score=0.8)
    page = student_client.get(reverse("grading:exercises")).content.decode()
    assert 'href="/grading/adam/"' in page and 'href="/grading/sgd/"' in page
    assert 'data-exercise="adam">80%' in page
    assert 'data-exercise="sgd"><span class="muted">not submitted' in page


def test_the_exercise_list_is_public(client):
    assert client.get(reverse("grading:exercises")).status_code == 200


def test_the_exercise_page_has_the_statement_editor_and_starter_code(student_client, adam):
    response = student_client.get(reverse("grading:exercise", args=["adam"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-editor="python"' in page and "vendor/codemirror/codemirror.min.js" in page
    assert "def init_state(params):" in page  # the starter, escaped inside the textarea
    assert 'class="math"' in page or "math" in page


def test_the_editor_starts_from_the_students_last_submission(student_client, student):
    Submission.objects.create(student=student, exercise_slug="adam", source="# my previous try\n")
    page = student_client.get(reverse("grading:exercise", args=["adam"])).content.decode()
    assert "# my previous try" in page


def test_unknown_exercise_is_404(student_client):
    assert student_client.get(reverse("grading:exercise", args=["teleport"])).status_code == 404


def test_the_exercise_page_needs_a_login(client):
    response = client.get(reverse("grading:exercise", args=["adam"]))
    assert response.status_code == 302 and "/login" in response.url


def test_submitting_stores_queues_and_shows_the_live_status_page(
    student_client, student, adam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = student_client.post(
            reverse("grading:exercise", args=["adam"]), {"source": adam.reference_source}
        )
    submission = Submission.objects.get(student=student)
    assert response.status_code == 302
    assert response.url == reverse("grading:submission", args=[submission.pk])
    page = student_client.get(response.url).content.decode()
    assert f'data-status-url="{reverse("grading:submission_status", args=[submission.pk])}"' in page
    assert "Queued" in page


def test_an_oversized_submission_is_refused_and_the_code_kept_in_the_editor(student_client):
    source = "# keep me\n" + "#" * MAX_SOURCE_BYTES
    response = student_client.post(reverse("grading:exercise", args=["adam"]), {"source": source})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit is 64 KB" in page and "# keep me" in page
    assert not Submission.objects.exists()


def test_the_status_endpoint_follows_queued_running_graded(student_client, student, worker_sandbox):
    submission = Submission.objects.create(
        student=student, exercise_slug="adam", source=ADAM_WITHOUT_BIAS_CORRECTION
    )
    status_url = reverse("grading:submission_status", args=[submission.pk])
    queued = student_client.get(status_url).json()
    assert (queued["status"], queued["finished"]) == ("queued", False) and "result_url" not in queued

    Submission.objects.filter(pk=submission.pk).update(status="running")
    assert student_client.get(status_url).json()["status"] == "running"
    Submission.objects.filter(pk=submission.pk).update(status="queued")

    tasks.grade_submission(submission.pk)
    graded = student_client.get(status_url)
    assert graded["Cache-Control"] == "no-store"
    data = json.loads(graded.content)
    assert (data["status"], data["finished"], data["passed"]) == ("graded", True, False)
    fragment = student_client.get(data["result_url"]).content.decode()
    assert "Diagnosis" in fragment and "data-mistake=" in fragment
    assert "First departure" in fragment and "step " in fragment
    assert "<svg" in fragment, "the trajectory plot is drawn inline"
    assert "<?xml" not in fragment


def test_the_result_page_of_a_graded_submission_renders_without_polling(
    student_client, student, worker_sandbox, sgd
):
    submission = Submission.objects.create(student=student, exercise_slug="sgd", source=sgd.reference_source)
    tasks.grade_submission(submission.pk)
    page = student_client.get(reverse("grading:submission", args=[submission.pk])).content.decode()
    assert "data-status-url" not in page
    assert "Passed" in page and "100%" in page


def test_plots_are_drawn_once_per_submission(student_client, student, worker_sandbox, sgd, monkeypatch):
    from grading.services import plots

    submission = Submission.objects.create(student=student, exercise_slug="sgd", source=sgd.reference_source)
    tasks.grade_submission(submission.pk)
    calls = []
    real = plots.build_plots
    monkeypatch.setattr(plots, "build_plots", lambda *a: calls.append(a) or real(*a))
    url = reverse("grading:submission_result", args=[submission.pk])
    first = student_client.get(url).content
    second = student_client.get(url).content
    assert first == second and b"<svg" in first
    assert len(calls) == 1


@pytest.mark.parametrize("name", ["submission", "submission_status", "submission_result"])
def test_students_get_404_for_other_students_submissions(client, second_student, student, name):
    theirs = Submission.objects.create(student=student, exercise_slug="sgd", source="secret = 42")
    client.force_login(second_student)
    response = client.get(reverse(f"grading:{name}", args=[theirs.pk]))
    assert response.status_code == 404
    assert b"secret = 42" not in response.content


def test_the_history_lists_only_the_students_own_submissions(student_client, student, second_student):
    mine = Submission.objects.create(student=student, exercise_slug="sgd", source="a")
    theirs = Submission.objects.create(student=second_student, exercise_slug="sgd", source="b")
    page = student_client.get(reverse("grading:exercise", args=["sgd"])).content.decode()
    assert reverse("grading:submission", args=[mine.pk]) in page
    assert reverse("grading:submission", args=[theirs.pk]) not in page
