from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import user_create
from api.services.tokens import token_create
from courses.models import AssignmentKind, CourseShare
from courses.services.courses import assignment_create, course_create, enrollment_join
from quizzes.models import BankShare, ShareRole
from quizzes.services.banks import bank_import

BANK_YAML = """\
format: descent-bank/1
bank:
  slug: api-bank
  name: API bank
  description: Two items.
items:
  - key: two-plus-two
    kind: numeric
    title: Adding
    topics: [arithmetic]
    stem: What is 2 + 2?
    answer: 4
    tolerance: {mode: absolute, value: 0.01}
    explanation: Four.
  - key: adam-order
    kind: ordering
    title: One Adam step, in order
    topics: [adam]
    stem: Put the parts of one Adam step in order.
    steps:
      - Compute the gradient
      - Update the moments
      - Take the step
    explanation: Gradient, moments, step.
"""


class Api:
    """A test client that calls the API with a bearer token."""

    def __init__(self, user):
        self.user = user
        self.token = token_create(user=user, name="tests").plain
        self.client = Client()

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path, data=None):
        return self.client.get("/api/v1" + path, data, **self._headers())

    def post(self, path, body):
        return self.client.post("/api/v1" + path, body, content_type="application/json", **self._headers())


@pytest.fixture
def people(db):
    return {
        "owner": user_create(username="olga", password="pass-word-123", instructor=True),
        "coauth": user_create(username="carl", password="pass-word-123", instructor=True),
        "viewer": user_create(username="vera", password="pass-word-123", instructor=True),
        "outsider": user_create(username="otto", password="pass-word-123", instructor=True),
        "student": user_create(username="stan", password="pass-word-123"),
        "other": user_create(username="oona", password="pass-word-123"),
    }


@pytest.fixture
def bank(people):
    report = bank_import(text=BANK_YAML, fmt="yaml", owner=people["owner"])
    assert report.ok, report.problems
    from quizzes.models import Bank

    bank = Bank.objects.get(slug="api-bank")
    BankShare.objects.create(bank=bank, user=people["coauth"], role=ShareRole.EDITOR)
    BankShare.objects.create(bank=bank, user=people["viewer"], role=ShareRole.VIEWER)
    return bank


@pytest.fixture
def course(people):
    course = course_create(owner=people["owner"], name="API course")
    CourseShare.objects.create(course=course, user=people["coauth"], role=ShareRole.EDITOR)
    CourseShare.objects.create(course=course, user=people["viewer"], role=ShareRole.VIEWER)
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.EXERCISE,
        exercise_slug="sgd",
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )
    enrollment_join(student=people["student"], code=course.code)
    return course


@pytest.fixture
def api_as(people):
    return lambda name: Api(people[name])
