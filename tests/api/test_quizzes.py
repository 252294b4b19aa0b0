from datetime import timedelta

import pytest

from quizzes.models import Attempt, Quiz, QuizRule
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start


@pytest.fixture
def quiz(bank, people):
    quiz = Quiz.objects.create(slug="api-quiz", title="API quiz", owner=people["owner"])
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1, kinds=["numeric"])
    return quiz


def _finished_attempt(quiz, student):
    attempt = attempt_start(quiz=quiz, student=student)
    for attempt_item in attempt.attempt_items.all():
        attempt_answer(attempt_item=attempt_item, student=student, response="4")
    return attempt_finish(attempt=attempt)


def test_list_quizzes_lists_only_the_callers_own(api_as, quiz, people):
    Quiz.objects.create(slug="someone-elses", title="Other", owner=people["outsider"])
    assert [q["slug"] for q in api_as("owner").get("/quizzes").json()["items"]] == ["api-quiz"]
    assert api_as("coauth").get("/quizzes").json() == {"items": [], "count": 0}
    assert api_as("student").get("/quizzes").status_code == 403


def test_quiz_attempts_gives_each_students_score_and_finish_to_the_owner(api_as, quiz, people):
    finished = _finished_attempt(quiz, people["student"])
    attempt_start(quiz=quiz, student=people["other"])
    rows = api_as("owner").get("/quizzes/api-quiz/attempts").json()["items"]
    by_student = {row["student"]: row for row in rows}
    assert set(by_student) == {"stan", "oona"}
    assert by_student["stan"]["status"] == "finished"
    assert by_student["stan"]["score"] == pytest.approx(finished.score)
    assert by_student["stan"]["finished_at"] is not None
    assert by_student["oona"]["score"] is None and by_student["oona"]["finished_at"] is None


def test_quiz_attempts_of_another_instructors_quiz_is_404(api_as, quiz):
    for name in ("coauth", "viewer", "outsider"):
        assert api_as(name).get("/quizzes/api-quiz/attempts").status_code == 404, name


def test_my_attempts_lists_only_the_callers_own_attempts(api_as, quiz, people):
    mine = _finished_attempt(quiz, people["student"])
    attempt_start(quiz=quiz, student=people["other"])
    body = api_as("student").get("/attempts").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == mine.pk and body["items"][0]["quiz"] == "api-quiz"


def test_my_attempts_finishes_a_timed_attempt_whose_time_is_up(api_as, quiz, people):
    attempt = attempt_start(quiz=quiz, student=people["student"])
    Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.started_at - timedelta(minutes=1))
    [row] = api_as("student").get("/attempts").json()["items"]
    assert row["status"] == "finished" and row["finished_at"] is not None


def test_quiz_attempts_pages_through_the_attempts(api_as, quiz, people):
    for name in ("student", "other"):
        attempt_start(quiz=quiz, student=people[name])
    api = api_as("owner")
    first = api.get("/quizzes/api-quiz/attempts", {"page_size": 1}).json()
    second = api.get("/quizzes/api-quiz/attempts", {"page_size": 1, "page": 2}).json()
    assert first["count"] == 2
    assert {first["items"][0]["student"], second["items"][0]["student"]} == {"stan", "oona"}
