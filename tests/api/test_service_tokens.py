"""LTI service tokens in the JSON API: an LMS reads one connected course's results, nothing else."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create
from lti.keys import create_tool_key
from lti.models import PlatformContext, ServiceToken
from lti.services.service_tokens import service_token_issue
from quizzes.models import Quiz, QuizRule
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start


@pytest.fixture
def registration(db):
    return LtiTool.objects.create(
        title="Campus Moodle",
        issuer="https://moodle.example",
        client_id="descent",
        auth_login_url="https://moodle.example/auth",
        auth_token_url="https://moodle.example/token",
        key_set_url="https://moodle.example/jwks",
        deployment_ids=json.dumps(["1"]),
        tool_key=create_tool_key("key-1"),
    )


@pytest.fixture
def context(registration, course):
    return PlatformContext.objects.create(
        tool=registration, deployment_id="1", context_id="moodle-course-7", title="ODL", course=course
    )


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username="root", password="pass-word-123")


@pytest.fixture
def service(context, staff):
    return service_token_issue(context=context, name="Moodle gradebook sync", issued_by=staff)


def as_lms(token: str):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return lambda path, **kw: client.get("/api/v1" + path, **kw)


@pytest.fixture
def assigned_quiz(bank, course, people):
    quiz = Quiz.objects.create(slug="api-quiz", title="API quiz", owner=people["owner"])
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1, kinds=["numeric"])
    now = timezone.now()
    assignment_create(
        course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=now - timedelta(days=1), due_at=now
    )
    return quiz


def finished_attempt(quiz, student):
    attempt = attempt_start(quiz=quiz, student=student)
    for attempt_item in attempt.attempt_items.all():
        attempt_answer(attempt_item=attempt_item, student=student, response="4")
    return attempt_finish(attempt=attempt)


def test_a_service_token_reads_its_courses_gradebook_as_json_and_csv(service, course):
    get = as_lms(service.plain)
    book = get(f"/courses/{course.pk}/gradebook")
    assert book.status_code == 200
    assert book.json()["course_id"] == course.pk
    assert [row["student"] for row in book.json()["rows"]] == ["stan"]
    csv = get(f"/courses/{course.pk}/gradebook.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert ServiceToken.objects.get().last_used_at is not None


def test_a_service_token_cannot_read_another_course(service, people):
    elsewhere = course_create(owner=people["owner"], name="Same owner, another course")
    assert as_lms(service.plain)(f"/courses/{elsewhere.pk}/gradebook").status_code == 404
    assert as_lms(service.plain)(f"/courses/{elsewhere.pk}/gradebook.csv").status_code == 404


def test_a_service_token_reads_the_attempts_of_its_courses_students_only(service, assigned_quiz, people):
    finished_attempt(assigned_quiz, people["student"])  # enrolled in the course
    finished_attempt(assigned_quiz, people["other"])  # took the quiz, not in this course
    rows = as_lms(service.plain)("/quizzes/api-quiz/attempts").json()["items"]
    assert [row["student"] for row in rows] == ["stan"]


def test_a_service_token_cannot_read_a_quiz_not_assigned_in_its_course(service, bank, people):
    Quiz.objects.create(slug="unassigned", title="Unassigned", owner=people["owner"])
    assert as_lms(service.plain)("/quizzes/unassigned/attempts").status_code == 404


@pytest.mark.parametrize("path", ["/banks", "/quizzes", "/attempts", "/banks/api-bank/items"])
def test_every_other_endpoint_refuses_a_service_token(service, bank, path):
    assert as_lms(service.plain)(path).status_code == 401


def test_a_service_token_cannot_create_a_submission(service):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {service.plain}")
    response = client.post(
        "/api/v1/submissions", {"exercise": "sgd", "source": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_service_token_speaks_for_no_person_even_beside_a_session(service, people):
    elsewhere = course_create(owner=people["owner"], name="The owner's other course")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {service.plain}")
    client.force_login(people["owner"])  # the owner may read it; the token may not
    assert client.get(f"/api/v1/courses/{elsewhere.pk}/gradebook").status_code == 404


def test_a_revoked_token_and_a_switched_off_registration_are_refused(service, course, registration):
    get = as_lms(service.plain)
    registration.is_active = False
    registration.save()
    assert get(f"/courses/{course.pk}/gradebook").status_code == 401
    registration.is_active = True
    registration.save()
    assert get(f"/courses/{course.pk}/gradebook").status_code == 200
    ServiceToken.objects.update(revoked_at=timezone.now())
    assert get(f"/courses/{course.pk}/gradebook").status_code == 401


def test_staff_issue_a_token_shown_once_and_revoke_it(context, course, staff):
    client = Client()
    client.force_login(staff)
    page = client.post("/lti/service-tokens/", {"context": context.pk, "name": "Moodle sync"})
    assert page.status_code == 200
    plain = page.content.decode().split('id="new-token">', 1)[1].split("<", 1)[0]
    assert plain.startswith("dsl_")
    assert as_lms(plain)(f"/courses/{course.pk}/gradebook").status_code == 200
    assert plain not in client.get("/lti/service-tokens/").content.decode()  # never shown again
    token = ServiceToken.objects.get()
    assert token.digest != plain and token.created_by == staff
    revoked = client.post(f"/lti/service-tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert as_lms(plain)(f"/courses/{course.pk}/gradebook").status_code == 401


def test_a_token_needs_a_name_and_a_connected_course(context, staff):
    client = Client()
    client.force_login(staff)
    assert client.post("/lti/service-tokens/", {"context": context.pk, "name": "  "}).status_code == 400
    assert client.post("/lti/service-tokens/", {"context": 987654, "name": "x"}).status_code == 400
    assert not ServiceToken.objects.exists()
