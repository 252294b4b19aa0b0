"""The optimizer challenge through the API: entries through the page's service and the real worker and
sandbox, their verdict through the submissions' endpoints, and a course's leaderboard."""

import pytest

from accounts.services import user_create
from courses.services.challenge import challenge_set_enabled, leaderboard
from courses.services.courses import enrollment_join
from grading import tasks
from grading.challenge import CHALLENGE_SLUG
from grading.models import Submission
from grading.services.challenge import challenge_entry_create
from grading.services.queue import claim_submission, finish_submission
from tests.grading.test_challenge import ADAM_LIKE

TOKEN = "retry-token-0123456789"
QUIET = (
    "def init_state(params):\n    return None\n\ndef step(params, grads, state):\n    return params, state\n"
)


@pytest.fixture(scope="module")
def worker_sandbox():
    """The task module's per-process sandbox, as a worker starts it."""
    sandbox = tasks.get_sandbox()
    yield sandbox
    tasks.close_sandbox()


def _enter(api, source, **extra):
    return api.post("/challenge/entries", {"source": source, **extra})


def _graded_entry(student, score):
    """An entry stored as the challenge page stores it, then finished as a worker finishes it."""
    entry = challenge_entry_create(student=student, source=QUIET + f"# {score}\n")
    claim = claim_submission(entry.pk, worker_id="test-worker")
    verdict = {"status": "failed", "score": score, "ratio": 1 / score, "convergence": 0.8}
    assert finish_submission(claim, verdict | {"kind": "challenge", "problems": []})
    return entry


# ---------------------------------------------------------------- entries


def test_an_entry_is_stored_queued_under_the_challenge_slug_for_the_caller(api_as, people):
    response = _enter(api_as("student"), ADAM_LIKE)
    assert response.status_code == 201, response.content
    body = response.json()
    entry = Submission.objects.get(pk=body["id"])
    assert (entry.student, entry.exercise_slug, entry.source) == (
        people["student"],
        CHALLENGE_SLUG,
        ADAM_LIKE,
    )
    assert (body["exercise"], body["status"], body["finished"], body["student"]) == (
        CHALLENGE_SLUG,
        "queued",
        False,
        "stan",
    )


def test_a_retry_with_the_same_client_token_returns_the_stored_entry_and_stores_no_second(api_as):
    api = api_as("student")
    first = _enter(api, ADAM_LIKE, client_token=TOKEN)
    again = _enter(api, ADAM_LIKE, client_token=TOKEN)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Submission.objects.filter(exercise_slug=CHALLENGE_SLUG).count() == 1
    # The same token with other code is a different request: refused, nothing stored.
    other = _enter(api, QUIET, client_token=TOKEN)
    assert other.status_code == 400 and "other code" in other.json()["detail"]
    assert Submission.objects.filter(exercise_slug=CHALLENGE_SLUG).count() == 1


def test_another_students_token_is_not_shared(api_as):
    assert _enter(api_as("student"), ADAM_LIKE, client_token=TOKEN).status_code == 201
    theirs = _enter(api_as("other"), ADAM_LIKE, client_token=TOKEN)
    assert theirs.status_code == 201 and theirs.json()["student"] == "oona"
    assert Submission.objects.filter(exercise_slug=CHALLENGE_SLUG).count() == 2


def test_a_malformed_client_token_is_a_400_naming_the_field(api_as):
    response = _enter(api_as("student"), ADAM_LIKE, client_token="short")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["client_token"]
    assert not Submission.objects.exists()


def test_an_empty_or_oversized_entry_is_refused_with_400_and_nothing_stored(api_as):
    api = api_as("student")
    empty = _enter(api, "   ")
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    big = _enter(api, "#" * (65 * 1024))
    assert big.status_code == 400 and "KB" in big.json()["detail"]
    missing = api.post("/challenge/entries", {})
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "source", "message": "Field required"}]
    assert not Submission.objects.exists()


def test_entries_share_the_pending_limit_of_the_queue(api_as, settings):
    settings.GRADING_MAX_PENDING_PER_EXERCISE = 1
    api = api_as("student")
    assert _enter(api, ADAM_LIKE).status_code == 201
    again = _enter(api, ADAM_LIKE)
    assert again.status_code == 400 and "waiting to be graded" in again.json()["detail"]
    assert Submission.objects.filter(exercise_slug=CHALLENGE_SLUG).count() == 1


def test_entries_are_throttled_with_submissions_with_retry_after(api_as, throttles_on, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "submission": {"user": "2/m", "anonymous": None}}
    api = api_as("student")
    assert api.post("/submissions", {"exercise": "sgd", "source": QUIET}).status_code == 201
    assert _enter(api, ADAM_LIKE).status_code == 201
    refused = _enter(api, QUIET)
    assert refused.status_code == 429
    assert refused.json()["retry_after"] == int(refused["Retry-After"]) >= 1
    assert Submission.objects.count() == 2


def test_an_entry_needs_a_token_or_a_session(client, db):
    response = client.post(
        "/api/v1/challenge/entries", {"source": ADAM_LIKE}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Submission.objects.exists()


def test_the_verdict_of_a_graded_entry_is_the_stored_one_with_every_problems_steps_and_ratio(
    api_as, people, course, worker_sandbox
):
    api = api_as("student")
    entry_id = _enter(api, ADAM_LIKE).json()["id"]
    assert tasks.grade_submission(entry_id) == "graded"
    entry = Submission.objects.get(pk=entry_id)
    status = api.get(f"/submissions/{entry_id}").json()
    assert (status["status"], status["finished"], status["passed"]) == ("graded", True, True)
    assert status["score"] == pytest.approx(entry.score)
    body = api.get(f"/submissions/{entry_id}/verdict").json()
    assert body["verdict"] == entry.verdict  # nothing dropped or rounded on the way out
    verdict = body["verdict"]
    assert (verdict["kind"], verdict["status"]) == ("challenge", "passed")
    assert verdict["score"] == pytest.approx(1 / verdict["ratio"], rel=1e-4)
    assert len(verdict["problems"]) == 5
    for problem in verdict["problems"]:
        assert problem["reached"] and 0 < problem["steps_to_target"] <= problem["budget"]
        assert problem["ratio"] == pytest.approx(problem["steps_to_target"] / problem["best_baseline_steps"])
        assert len(problem["losses"]) == problem["steps_done"] + 1


def test_a_second_student_cannot_read_an_entry_and_a_teacher_only_with_the_challenge_on(api_as, course):
    entry_id = _enter(api_as("student"), ADAM_LIKE).json()["id"]
    for path in (f"/submissions/{entry_id}", f"/submissions/{entry_id}/verdict"):
        assert api_as("student").get(path).status_code == 200
        assert api_as("other").get(path).status_code == 404, path
        assert api_as("outsider").get(path).status_code == 404, path
        # The course's teachers see their students' entries once the course has the challenge on.
        assert api_as("owner").get(path).status_code == 404, path
    challenge_set_enabled(course=course, enabled=True)
    for name in ("owner", "coauth", "viewer"):
        assert api_as(name).get(f"/submissions/{entry_id}/verdict").status_code == 200, name
    assert api_as("outsider").get(f"/submissions/{entry_id}/verdict").status_code == 404


# ---------------------------------------------------------------- the leaderboard


@pytest.fixture
def board(course, people):
    """The API course with the challenge on, two enrolled students with graded entries."""
    classmate = user_create(username="cleo", password="pass-word-123")
    enrollment_join(student=classmate, code=course.code)
    challenge_set_enabled(course=course, enabled=True)
    entries = {"student": _graded_entry(people["student"], 2.0), "cleo": _graded_entry(classmate, 0.3)}
    _graded_entry(people["other"], 50.0)  # not enrolled: never on this board
    return course, entries


def _board(api, course):
    response = api.get(f"/courses/{course.pk}/challenge/leaderboard")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_teacher_sees_every_name_and_entry_among_the_baselines(api_as, board):
    course, entries = board
    for name in ("owner", "coauth", "viewer"):
        body = _board(api_as(name), course)
        assert (body["course_id"], body["course"]) == (course.pk, "API course")
        rows = body["rows"]
        students = [(row["name"], row["submission_id"]) for row in rows if not row["baseline"]]
        assert students == [("stan", entries["student"].pk), ("cleo", entries["cleo"].pk)], name
        baselines = [row for row in rows if row["baseline"]]
        assert {row["name"] for row in baselines} == {"SGD", "SGD with momentum", "Adam", "AdamW"}
        assert all(row["submission_id"] is None and not row["you"] for row in baselines)
        assert rows[0]["name"] == "stan" and rows[0]["rank"] == 1 and rows[0]["score"] == 2.0
        assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)
        assert "oona" not in {row["name"] for row in rows}


def test_a_student_sees_ranks_and_scores_but_only_their_own_name(api_as, board, people):
    course, entries = board
    rows = _board(api_as("student"), course)["rows"]
    mine = [row for row in rows if row["you"]]
    assert [(row["name"], row["rank"], row["submission_id"]) for row in mine] == [
        ("stan", 1, entries["student"].pk)
    ]
    classmate = [row for row in rows if not row["baseline"] and not row["you"]]
    assert [(row["name"], row["score"], row["submission_id"]) for row in classmate] == [
        ("a classmate", 0.3, None)
    ]
    assert "cleo" not in str(rows)
    # Row for row what the page shows this student.
    expected = leaderboard(course, viewer=people["student"], teaches=False)
    assert [(row["rank"], row["name"], row["score"]) for row in rows] == [
        (row.rank, row.name, row.score) for row in expected
    ]


def test_anyone_outside_the_course_gets_404(api_as, board, client):
    course, _ = board
    for name in ("other", "outsider"):
        response = api_as(name).get(f"/courses/{course.pk}/challenge/leaderboard")
        assert response.status_code == 404, name
        assert response.json() == {"detail": "Not found."}
    assert api_as("owner").get("/courses/999999/challenge/leaderboard").status_code == 404
    assert client.get(f"/api/v1/courses/{course.pk}/challenge/leaderboard").status_code == 401


def test_a_course_without_the_challenge_has_no_leaderboard(api_as, course):
    assert not course.challenge_enabled
    # Its students cannot tell it from a course that does not exist, as on the page.
    student = api_as("student").get(f"/courses/{course.pk}/challenge/leaderboard")
    assert student.status_code == 404 and student.json() == {"detail": "Not found."}
    # Its teachers are told why.
    teacher = api_as("viewer").get(f"/courses/{course.pk}/challenge/leaderboard")
    assert teacher.status_code == 404 and "challenge is off" in teacher.json()["detail"]
