"""Answer posts and expression previews are rate-limited per student (settings.RATELIMITS)."""

import json

import pytest
from django.urls import reverse

from tests.quizzes.web.test_attempt_pages import answer_url, start

pytestmark = pytest.mark.usefixtures("throttles_on")


def limit(settings, group, rate):
    settings.RATELIMITS = {**settings.RATELIMITS, group: {"user": rate, "anonymous": None}}


def test_an_answer_beyond_the_rate_is_refused_and_stays_in_its_box(
    make_item, make_quiz, student, student_client, settings
):
    limit(settings, "answer", "2/d")
    for index in range(3):
        make_item("numeric", f"n{index}")
    attempt, _ = start(make_quiz(), student)
    for position in (1, 2):
        assert student_client.post(answer_url(attempt, position), {"answer": "1"}).status_code == 302

    response = student_client.post(answer_url(attempt, 3), {"answer": "0.0371"})

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "You have sent many answers in a short time. Please wait" in html
    assert "This answer was not sent yet." in html and 'value="0.0371"' in html
    assert attempt.attempt_items.get(position=3).answered_at is None


def test_one_students_answers_do_not_use_up_anothers(
    make_item, make_quiz, student, second_student, student_client, settings
):
    limit(settings, "answer", "1/d")
    make_item("numeric")
    quiz = make_quiz()
    mine, _ = start(quiz, student)
    theirs, _ = start(quiz, second_student)
    assert student_client.post(answer_url(mine), {"answer": "1"}).status_code == 302
    student_client.force_login(second_student)  # the same browser and address, another account
    assert student_client.post(answer_url(theirs), {"answer": "1"}).status_code == 302


def test_previews_beyond_the_rate_get_json_saying_when_to_retry(
    make_item, make_quiz, student, student_client, settings
):
    limit(settings, "preview", "3/d")
    make_item("symbolic")
    attempt, _ = start(make_quiz(), student)
    url = reverse("quizzes:preview_expression", args=[attempt.pk, 1])
    assert [student_client.get(url, {"text": "eta*g0"}).status_code for _ in range(3)] == [200] * 3

    response = student_client.get(url, {"text": "eta*g0"})

    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["ok"] is False and data["retry_after"] == int(response["Retry-After"]) > 0
    assert data["error"].startswith("Previews were asked for faster than they can be checked. Please wait")
