"""Courses: time to serve the item statistics page and the gradebook of a large course.

Seeds a temporary database (the demo content plus 500 enrolled students who made 20 finished
attempts each at one quiz, 10 items per attempt drawn from a pool of 40, and a few graded code
submissions each), then serves both pages with Django's test client as the course's instructor.
Scores follow a simple ability model (a student's chance to get an item right rises with their
ability and falls with the item's difficulty), so the statistics have realistic spreads.
The attempts are bulk-created, bypassing the hook that keeps the item statistics' running sums,
so the sums are built once with `manage.py backfill_item_sums` (timed), as on a site upgraded to
them; nothing is cached between page requests. Targets from issue 5: under 300 ms for each page.

Run: `python benchmarks/courses.py` (or call `run()` for (figure, value) pairs).
"""

from __future__ import annotations

import math
import random
import sys
from datetime import timedelta
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.django_env import demo_database, graded_submission
from benchmarks.timing import Stats, ms, time_each, verdict
from quizzes.engine.kinds import ItemKind

STUDENTS = 500
ATTEMPTS_PER_STUDENT = 20
ITEMS_PER_ATTEMPT = 10
ITEM_POOL = 40
SUBMISSIONS_PER_STUDENT = 4
PAGE_REQUESTS = 15
TARGET_SECONDS = 0.300


def _response_for(item, right: bool, rng: random.Random):
    """What a student would have stored for a choice item: the key when right, a distractor otherwise."""
    from quizzes.engine.common import stable_id

    if item.kind == ItemKind.TRUEFALSE:
        key = bool(item.spec.get("answer"))
        return key if right else not key
    choices = item.spec.get("choices") or []
    correct = [stable_id("c", c) for c in choices if c.get("correct")]
    wrong = [stable_id("c", c) for c in choices if not c.get("correct")]
    if item.kind == ItemKind.SINGLE:
        return correct[0] if right or not wrong else rng.choice(wrong)
    return correct if right or not wrong else [*correct[:1], rng.choice(wrong)]


def seed(rng: random.Random):
    """The course, its students and their work; returns (instructor, course, quiz assignment)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import user_create
    from courses.models import Assignment, AssignmentKind, Enrollment
    from courses.services.courses import assignment_create, course_create
    from grading.models import Submission
    from quizzes.models import Attempt, AttemptItem, AttemptStatus, Item, Quiz

    user_model = get_user_model()
    now = timezone.now()
    instructor = user_create(username="bench-teacher", password="bench-pass-123", instructor=True)
    course = course_create(owner=instructor, name="Benchmark course")
    quiz = Quiz.objects.get(slug="checkpoint-mixed")
    quiz_assignment = assignment_create(
        course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=now - timedelta(days=30), due_at=now
    )
    for slug in ("sgd", "momentum"):
        assignment_create(
            course=course,
            kind=AssignmentKind.EXERCISE,
            exercise_slug=slug,
            opens_at=now - timedelta(days=30),
            due_at=now - timedelta(days=3),
        )
    pool = list(Item.objects.order_by("?")[:ITEM_POOL])
    difficulty = {item.pk: rng.gauss(0, 1) for item in pool}
    password = make_password(None)  # unusable: nobody logs in as these students
    with transaction.atomic():
        students = user_model.objects.bulk_create(
            [user_model(username=f"bench-student-{n:03d}", password=password) for n in range(STUDENTS)]
        )
        Enrollment.objects.bulk_create([Enrollment(course=course, student=s) for s in students])
        attempts, ability = [], {}
        for student in students:
            ability[student.pk] = rng.gauss(0, 1)
            for number in range(1, ATTEMPTS_PER_STUDENT + 1):
                finished = now - timedelta(days=20 - number, minutes=rng.randint(0, 600))
                attempts.append(
                    Attempt(
                        quiz=quiz,
                        student=student,
                        number=number,
                        status=AttemptStatus.FINISHED,
                        finished_at=finished,
                    )
                )
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        rows = []
        for attempt in attempts:
            scores = []
            for position, item in enumerate(rng.sample(pool, ITEMS_PER_ATTEMPT), start=1):
                chance = 1 / (1 + math.exp(difficulty[item.pk] - ability[attempt.student_id]))
                right = rng.random() < chance
                scores.append(1.0 if right else 0.0)
                response = (
                    _response_for(item, right, rng)
                    if item.kind in {ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUEFALSE}
                    else "1"
                )
                rows.append(
                    AttemptItem(
                        attempt=attempt,
                        item=item,
                        position=position,
                        seed=0,
                        response=response,
                        score=scores[-1],
                        answered_at=attempt.finished_at,
                    )
                )
            attempt.raw_score = attempt.score = sum(scores) / len(scores)
        AttemptItem.objects.bulk_create(rows, batch_size=5000)
        Attempt.objects.bulk_update(attempts, ["raw_score", "score"], batch_size=2000)
        submissions = []
        for student in students:
            for slug in ("sgd", "momentum"):
                for _ in range(rng.randint(1, SUBMISSIONS_PER_STUDENT)):
                    passed = rng.random() < 0.4
                    mistake = "" if passed else rng.choice(["sign-flip", "lr-outside", "no-state"])
                    score = 1.0 if passed else rng.random() * 0.5
                    submissions.append(
                        graded_submission(
                            student, slug, passed=passed, score=score, graded_at=now, mistake=mistake
                        )
                    )
        Submission.objects.bulk_create(submissions, batch_size=2000)
    assert Assignment.objects.filter(course=course).count() == 3
    return instructor, course, quiz_assignment


def _timed_page(client, url: str) -> Stats:
    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"GET {url} answered {first.status_code}")
    return Stats.of(time_each(lambda: client.get(url) for _ in range(PAGE_REQUESTS)))


def _timed_backfill() -> float:
    """The seeded attempts were bulk-created, bypassing the finish hook: build their running sums."""
    import io
    import time

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("backfill_item_sums", quiz=["checkpoint-mixed"], stdout=io.StringIO())
    return time.perf_counter() - started


def _timed_record(quiz_assignment) -> Stats:
    """What finishing one attempt adds: its contribution to the running sums (rolled back each time)."""
    from django.db import transaction

    from courses.services.item_aggregates import record_finished_attempt
    from quizzes.models import Attempt

    attempts = list(Attempt.objects.filter(quiz=quiz_assignment.quiz).order_by("?")[:PAGE_REQUESTS])

    class Rollback(Exception):
        pass

    def record(attempt):
        try:
            with transaction.atomic():
                record_finished_attempt(attempt)
                raise Rollback  # keep the sums exact for the page timings
        except Rollback:
            pass

    return Stats.of(time_each(lambda attempt=attempt: record(attempt) for attempt in attempts))


def run() -> list[tuple[str, str]]:
    demo_database()
    from django.test import Client

    instructor, course, quiz_assignment = seed(random.Random(5))
    client = Client()
    client.force_login(instructor)
    statistics = f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/statistics/"
    figures = [
        ("seeded", f"{STUDENTS} students x {ATTEMPTS_PER_STUDENT} attempts x {ITEMS_PER_ATTEMPT} items"),
        ("backfill_item_sums for the seeded quiz (once)", ms(_timed_backfill())),
    ]
    record = _timed_record(quiz_assignment)
    figures.append(
        (
            f"running-sum update when an attempt finishes (n={record.count}) p50 / p95",
            f"{ms(record.p50)} / {ms(record.p95)}",
        )
    )
    pages = [
        ("item statistics page (nothing cached)", statistics),
        ("gradebook page", f"/courses/{course.pk}/gradebook/"),
        ("gradebook CSV", f"/courses/{course.pk}/gradebook.csv"),
    ]
    for label, url in pages:
        stats = _timed_page(client, url)
        met = verdict(stats.p50 < TARGET_SECONDS)
        figures.append(
            (
                f"{label} (n={stats.count}) p50 / p95",
                f"{ms(stats.p50)} / {ms(stats.p95)}; p50 < 300 ms: {met}",
            )
        )
    return figures


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")
