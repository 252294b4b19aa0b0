"""Builders for course tests: courses, a tiny quiz bank, finished attempts with chosen scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from accounts.services import user_create
from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create, enrollment_join
from grading.models import Submission
from quizzes.engine.common import stable_id
from quizzes.models import Attempt, AttemptItem, AttemptStatus, Bank, Item, Quiz

DUE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OPENS = DUE - timedelta(days=14)
CHOICES = [
    {"text": "It damps oscillation across the valley", "correct": True},
    {"text": "It sets the learning rate to zero"},
    {"text": "It normalises the gradient"},
]


def choice_id(index: int) -> str:
    return stable_id("c", CHOICES[index])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # These tests create many users; full-strength hashing is not what they are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Ids repeat between tests (each test's rows are rolled back), so anything cached could leak.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(username: str, *, instructor: bool = False):
        return user_create(username=username, password="pass-word-123", instructor=instructor)

    return make


@pytest.fixture
def course(instructor):
    return course_create(owner=instructor, name="Optimizers 101")


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(slug="momentum-check", title="Momentum check")


@pytest.fixture
def items(db):
    """Three items: a single-choice item, a numeric item and a true/false item."""
    bank = Bank.objects.create(slug="course-tests", name="Course tests")
    return [
        Item.objects.create(
            bank=bank,
            key="why-momentum",
            kind="single",
            stem="Why momentum?",
            position=1,
            spec={"choices": CHOICES},
        ),
        Item.objects.create(
            bank=bank,
            key="step-size",
            kind="numeric",
            stem="Step?",
            position=2,
            spec={"answer": 0.3, "tolerance": 0.01},
        ),
        Item.objects.create(
            bank=bank,
            key="adam-bias",
            kind="truefalse",
            stem="Adam is unbiased at t=1?",
            position=3,
            spec={"answer": False},
        ),
    ]


@pytest.fixture
def enrol(course):
    def join(student):
        enrollment, _ = enrollment_join(student=student, code=course.code)
        return enrollment

    return join


@pytest.fixture
def quiz_assignment(course, quiz):
    return assignment_create(course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=OPENS, due_at=DUE)


def finished_attempt(quiz, student, number, scored_items, *, finished_at=None, penalty=0.0, responses=None):
    """A finished attempt whose items scored as given: scored_items = [(item, score), ...]."""
    finished_at = finished_at or OPENS + timedelta(days=1, hours=number)
    raw = sum(score or 0.0 for _, score in scored_items) / len(scored_items)
    attempt = Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        status=AttemptStatus.FINISHED,
        finished_at=finished_at,
        raw_score=raw,
        score=raw * (1 - penalty),
    )
    responses = responses or {}
    for position, (item, score) in enumerate(scored_items, start=1):
        AttemptItem.objects.create(
            attempt=attempt,
            item=item,
            position=position,
            seed=0,
            score=score,
            response=responses.get(item.key),
            answered_at=finished_at if item.key in responses else None,
        )
    return attempt


def graded_submission(student, slug, *, passed, score, at, diagnosis=()):
    submission = Submission.objects.create(
        student=student,
        exercise_slug=slug,
        source="def step(): ...",
        status=Submission.Status.GRADED,
        passed=passed,
        score=score,
        graded_at=at,
        verdict={"status": "passed" if passed else "failed", "diagnosis": [dict(d) for d in diagnosis]},
    )
    # created_at is auto_now_add; the tests need the submission time under their control.
    Submission.objects.filter(pk=submission.pk).update(created_at=at)
    submission.created_at = at
    return submission
