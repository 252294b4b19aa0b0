"""A course's optimizer-challenge leaderboard: its students' best entries among the tuned baselines."""

import pytest
from django.urls import reverse

from accounts.services import user_create
from courses.services.challenge import ChallengeNotEnabled, challenge_set_enabled, leaderboard
from courses.services.courses import course_create, enrollment_join
from grading.api import challenge_baselines
from grading.services.challenge import challenge_entry_create
from grading.services.queue import claim_submission, finish_submission

SOURCE = (
    "def init_state(params):\n    return None\n\ndef step(params, grads, state):\n    return params, state\n"
)


def graded_entry(student, score: float, *, status: str = "failed"):
    """An entry stored and queued as the challenge page does, then finished as a worker does."""
    entry = challenge_entry_create(student=student, source=SOURCE + f"# {score}\n")
    claim = claim_submission(entry.pk, worker_id="test-worker")
    verdict = {"status": status, "score": score, "ratio": None if status == "error" else 1 / score}
    verdict |= {"convergence": 0.8, "kind": "challenge", "problems": []}
    assert finish_submission(claim, verdict)
    return entry


@pytest.fixture
def course(instructor, student, second_student):
    course = course_create(owner=instructor, name="Optimizers 101")
    for member in (student, second_student):
        enrollment_join(student=member, code=course.code)
    challenge_set_enabled(course=course, enabled=True)
    return course


@pytest.fixture
def other_course(db):
    teacher = user_create(username="olga", password="instructor-pass-123", instructor=True)
    course = course_create(owner=teacher, name="Elsewhere")
    outsider = user_create(username="otto", password="student-pass-123")
    enrollment_join(student=outsider, code=course.code)
    challenge_set_enabled(course=course, enabled=True)
    return course, outsider


def test_a_baseline_appears_on_the_leaderboard(course, instructor):
    rows = leaderboard(course, viewer=instructor, teaches=True)
    baselines = [row for row in rows if row.is_baseline]
    assert [row.name for row in baselines] == [
        b.title for b in sorted(challenge_baselines(), key=lambda b: -b.score)
    ]
    assert {"SGD", "SGD with momentum", "Adam", "AdamW"} == {row.name for row in baselines}
    assert all(row.submission_id is None for row in baselines)


def test_students_are_ranked_among_the_baselines_by_their_best_entry(
    course, instructor, student, second_student
):
    top = max(b.score for b in challenge_baselines())
    bottom = min(b.score for b in challenge_baselines())
    graded_entry(student, bottom / 4)
    best = graded_entry(student, top + 0.5)
    graded_entry(second_student, bottom / 2)
    rows = leaderboard(course, viewer=instructor, teaches=True)
    assert rows[0].name == "sam" and rows[0].rank == 1 and rows[0].submission_id == best.pk
    assert [row.name for row in rows].count("sam") == 1
    assert rows[-1].name == "sue"
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)


def test_a_second_courses_students_never_appear(course, other_course, instructor):
    _, outsider = other_course
    graded_entry(outsider, 50.0)  # would top the board if it leaked
    rows = leaderboard(course, viewer=instructor, teaches=True)
    assert "otto" not in [row.name for row in rows]
    assert len(rows) == len(challenge_baselines())


def test_entries_that_could_not_be_graded_do_not_count(course, instructor, student):
    graded_entry(student, 0.0, status="error")
    assert [
        row.name for row in leaderboard(course, viewer=instructor, teaches=True) if not row.is_baseline
    ] == []


def test_a_student_sees_every_rank_but_only_their_own_name(course, client, student, second_student):
    graded_entry(student, 0.3)
    graded_entry(second_student, 0.4)
    rows = leaderboard(course, viewer=student, teaches=False)
    mine = [row for row in rows if row.is_you]
    assert len(mine) == 1 and mine[0].name == "sam" and mine[0].submission_id is not None
    theirs = [row for row in rows if not row.is_baseline and not row.is_you]
    assert [(row.name, row.submission_id) for row in theirs] == [("a classmate", None)]

    client.force_login(student)
    page = client.get(reverse("courses:challenge", args=[course.pk]))
    assert page.status_code == 200
    assert b"sue" not in page.content and b"a classmate" in page.content and b"(you)" in page.content


def test_teachers_see_names_and_may_open_an_entry(course, instructor_client, second_student):
    entry = graded_entry(second_student, 0.4)
    page = instructor_client.get(reverse("courses:challenge", args=[course.pk]))
    assert b"sue" in page.content
    assert reverse("grading:submission", args=[entry.pk]).encode() in page.content
    assert instructor_client.get(reverse("grading:submission", args=[entry.pk])).status_code == 200


def test_a_teacher_of_another_course_may_not_open_an_entry(course, other_course, client, student):
    entry = graded_entry(student, 0.4)
    client.force_login(other_course[0].owner)
    assert client.get(reverse("grading:submission", args=[entry.pk])).status_code == 404


def test_the_board_is_hidden_from_students_until_the_course_turns_it_on(course, client, student, instructor):
    challenge_set_enabled(course=course, enabled=False)
    with pytest.raises(ChallengeNotEnabled):
        leaderboard(course, viewer=instructor, teaches=True)
    client.force_login(student)
    url = reverse("courses:challenge", args=[course.pk])
    assert client.get(url).status_code == 404

    client.force_login(instructor)
    assert client.get(url).status_code == 200  # the page with the switch
    response = client.post(reverse("courses:challenge_enable", args=[course.pk]), {"enabled": "on"})
    assert response.status_code == 302
    client.force_login(student)
    assert client.get(url).status_code == 200


def test_turning_the_challenge_off_hides_entries_from_teachers_again(course, instructor_client, student):
    entry = graded_entry(student, 0.4)
    instructor_client.post(reverse("courses:challenge_enable", args=[course.pk]), {})
    assert instructor_client.get(reverse("grading:submission", args=[entry.pk])).status_code == 404
