"""A submission post carries a client token: retried, it finds the submission it already stored."""

import re
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse

from grading.models import Submission
from grading.services import SubmissionRejected, submission_create

TOKEN = "page-load-token-0123456789"


def token_in(page: str) -> str:
    return re.search(r'name="client_token" value="([^"]+)"', page).group(1)


def test_each_page_load_gets_a_new_token(student_client):
    url = reverse("grading:exercise", args=["sgd"])
    first = token_in(student_client.get(url).content.decode())
    second = token_in(student_client.get(url).content.decode())
    assert first != second and len(first) >= 16


def test_a_retried_post_returns_the_submission_already_stored(student_client, student):
    url = reverse("grading:exercise", args=["sgd"])
    token = token_in(student_client.get(url).content.decode())
    first = student_client.post(url, {"source": "x = 1\n", "client_token": token})
    again = student_client.post(url, {"source": "x = 1\n", "client_token": token})
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    assert Submission.objects.filter(student=student).count() == 1


def test_the_same_token_by_another_student_is_another_submission(student, second_student):
    mine = submission_create(student=student, exercise="sgd", source="x = 1\n", client_token=TOKEN)
    theirs = submission_create(student=second_student, exercise="sgd", source="x = 1\n", client_token=TOKEN)
    assert mine.pk != theirs.pk


def test_a_token_already_used_for_other_code_is_refused_and_nothing_stored(student):
    submission_create(student=student, exercise="sgd", source="x = 1\n", client_token=TOKEN)
    with pytest.raises(SubmissionRejected, match="already used to submit other code"):
        submission_create(student=student, exercise="sgd", source="x = 2\n", client_token=TOKEN)
    assert Submission.objects.count() == 1


def test_reusing_a_page_for_new_code_keeps_the_code_and_hands_out_a_new_token(student_client):
    url = reverse("grading:exercise", args=["sgd"])
    student_client.post(url, {"source": "x = 1\n", "client_token": TOKEN})
    response = student_client.post(url, {"source": "# second idea\n", "client_token": TOKEN})
    assert response.status_code == 400
    page = response.content.decode()
    assert "# second idea" in page and token_in(page) != TOKEN
    assert (
        student_client.post(url, {"source": "# second idea\n", "client_token": token_in(page)}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "token", ["short", "x" * 65, "spaces are not allowed here", "<script>alert(1)</script>"]
)
def test_a_malformed_token_is_refused(student, token):
    with pytest.raises(SubmissionRejected, match="reload the page"):
        submission_create(student=student, exercise="sgd", source="x = 1\n", client_token=token)
    assert not Submission.objects.exists()


def test_the_database_refuses_two_rows_with_one_token(student):
    Submission.objects.create(student=student, exercise_slug="sgd", source="a", client_token=TOKEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(student=student, exercise_slug="sgd", source="a", client_token=TOKEN)
    # Posts without a token (older pages, scripts) are not deduplicated.
    Submission.objects.create(student=student, exercise_slug="sgd", source="a")
    Submission.objects.create(student=student, exercise_slug="sgd", source="a")


def test_when_the_database_fails_the_student_is_told_and_keeps_the_code_and_token(student_client):
    url = reverse("grading:exercise", args=["sgd"])
    failing = mock.patch(
        "grading.views.submission_create", side_effect=OperationalError("server closed the connection")
    )
    with failing:
        response = student_client.post(url, {"source": "# precious\n", "client_token": TOKEN})
    assert response.status_code == 503
    page = response.content.decode()
    assert "could not be stored" in page and "# precious" in page
    assert token_in(page) == TOKEN, "a retry must be recognised if the first attempt did get through"
