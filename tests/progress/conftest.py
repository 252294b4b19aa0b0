"""Builders for progress tests: finished attempts and graded submissions written straight to the DB.

Going around the quiz and grading services keeps these tests about progress rules; the hook test
(test_events.py) goes through `attempt_finish` itself.
"""

from datetime import UTC, datetime, timedelta

import pytest

from grading.models import Submission
from quizzes.models import Attempt, AttemptItem, AttemptStatus, Bank, Item, Quiz, Topic

MONDAY = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_item(db):
    bank = Bank.objects.create(slug="progress-bank", name="Progress bank")

    def make(key: str, *, topics=("momentum",), kind="truefalse") -> Item:
        spec = (
            {"answer": True}
            if kind == "truefalse"
            else {"answer": 1.0, "tolerance": {"mode": "absolute", "value": 0.1}}
        )
        item = Item.objects.create(
            bank=bank, key=key, kind=kind, stem=f"Stem of {key}", explanation="Why.", spec=spec
        )
        for slug in topics:
            item.topics.add(Topic.objects.get_or_create(slug=slug, defaults={"name": slug})[0])
        return item

    return make


@pytest.fixture
def finished_attempt(db):
    """finished_attempt(student, [(item, score or None for unanswered), ...], at=...) -> Attempt."""
    quiz = Quiz.objects.create(slug="progress-quiz", title="Momentum check")

    def make(student, answers, *, at: datetime = MONDAY) -> Attempt:
        number = Attempt.objects.filter(quiz=quiz, student=student).count() + 1
        scores = [0.0 if score is None else score for _, score in answers]
        mean = sum(scores) / len(scores) if scores else 0.0
        attempt = Attempt.objects.create(
            quiz=quiz, student=student, number=number, status=AttemptStatus.FINISHED,
            finished_at=at, raw_score=mean, score=mean,
        )  # fmt: skip
        for position, (item, score) in enumerate(answers, start=1):
            AttemptItem.objects.create(
                attempt=attempt, item=item, position=position, seed=1,
                score=0.0 if score is None else score,
                answered_at=None if score is None else at - timedelta(minutes=len(answers) - position),
                response=None if score is None else "x",
            )  # fmt: skip
        return attempt

    return make


@pytest.fixture
def graded_submission(db):
    def make(
        student, slug: str, *, passed: bool, score: float | None = None, diagnosis=(), problems=(),
        at: datetime = MONDAY, verdict_status: str | None = None,
    ) -> Submission:  # fmt: skip
        status = verdict_status or ("passed" if passed else "failed")
        verdict = {
            "status": status,
            "score": 1.0 if passed else (score or 0.0),
            "diagnosis": [{"name": name, "title": name, "explanation": ""} for name in diagnosis],
            "problems": list(problems),
        }
        submission = Submission.objects.create(
            student=student, exercise_slug=slug, source="def step(): ...", status=Submission.Status.GRADED,
            verdict=verdict, score=verdict["score"], passed=passed, graded_at=at,
        )  # fmt: skip
        Submission.objects.filter(pk=submission.pk).update(created_at=at)
        submission.created_at = at
        return submission

    return make
