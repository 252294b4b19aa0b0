"""Fair grading queue: how long a second student waits behind one student's burst.

One `manage.py grading_worker` process on the benchmark's temporary SQLite database. Student A
stores 50 submissions at once, each the worst case for a worker: code that sleeps instead of
computing, so it holds the worker for the whole wall limit. Right after, student B submits a
correct solution. Measured: B's wait from storing the submission to its verdict, next to one
grading slot (the wall limit, and the measured time between two of A's verdicts). Target (issue
9): at most one grading slot plus 1 s. Also: what the page does with 50 quick posts by one student
under the default limits.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.django_env import demo_database
from benchmarks.timing import Figure, verdict

SECTION = "fairness"
BURST = 50
TARGET_EXTRA_SECONDS = 1.0

SLEEPER = """\
import time

def init_state(params):
    return {}

def step(params, grads, state, *, lr):
    time.sleep(60)
    return params - lr * grads, state
"""


def _students():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    burst, _ = User.objects.get_or_create(username="bench-burst-student")
    patient, _ = User.objects.get_or_create(username="bench-patient-student")
    return burst, patient


def burst_wait() -> list[Figure]:
    from django.test.utils import override_settings

    from benchmarks.bench_grading import Workers, _wait_until_finished
    from grading.exercises import get_exercise
    from grading.grader import GRADING_WALL_SECONDS
    from grading.models import Submission
    from grading.services import submission_create

    burst_student, patient = _students()
    correct = get_exercise("sgd").reference_source
    with Workers(1) as workers:
        warm = submission_create(student=patient, exercise="sgd", source=correct)
        _wait_until_finished([warm.pk], timeout=60)
        with override_settings(GRADING_MAX_PENDING_PER_EXERCISE=0):  # the burst as the queue sees it
            burst = [
                submission_create(student=burst_student, exercise="sgd", source=SLEEPER).pk
                for _ in range(BURST)
            ]
        time.sleep(0.2)  # the worker has taken the burst's first submission
        start = time.perf_counter()
        theirs = submission_create(student=patient, exercise="sgd", source=correct)
        _wait_until_finished([theirs.pk], timeout=120)
        waited = time.perf_counter() - start
        # A few more of the burst, to measure a slot between two verdicts.
        _wait_until_finished(burst[:4], timeout=60)
        workers.check_alive()
    theirs.refresh_from_db()
    graded_before = Submission.objects.filter(pk__in=burst, graded_at__lt=theirs.graded_at).count()
    times = sorted(Submission.objects.filter(pk__in=burst[:4]).values_list("graded_at", flat=True))
    slot = statistics.median((b - a).total_seconds() for a, b in zip(times, times[1:], strict=False))
    statuses = set(
        Submission.objects.filter(pk__in=burst[:4]).values_list("verdict__sandbox_outcome", flat=True)
    )
    target = slot + TARGET_EXTRA_SECONDS
    return [
        Figure(
            SECTION,
            "grading slot: wall limit / measured between two verdicts of sleeping code",
            f"{GRADING_WALL_SECONDS:.2f} s / {slot:.2f} s",
            "",
            f"CPU limit + 0.5 s; the burst's verdicts: {', '.join(sorted(map(str, statuses)))}",
        ),
        Figure(
            SECTION,
            f"second student's wait behind a {BURST}-submission burst, 1 worker",
            f"{waited:.2f} s",
            f"≤ one slot + 1 s ({target:.2f} s): {verdict(waited <= target)}",
            f"{graded_before} of the burst graded before it (first-come first-served: {BURST})",
        ),
    ]


def post_limits() -> list[Figure]:
    import logging

    from django.core.cache import cache
    from django.test import Client

    from grading.models import Submission

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 48 "Too Many Requests" lines
    cache.clear()
    burst_student, _ = _students()
    Submission.objects.filter(student=burst_student).delete()
    client = Client()
    client.force_login(burst_student)
    statuses = [client.post("/grading/adam/", {"source": f"x = {n}\n"}).status_code for n in range(BURST)]
    stored = Submission.objects.filter(student=burst_student).count()
    return [
        Figure(
            SECTION,
            f"{BURST} quick posts by one student, default limits",
            f"{stored} stored",
            "",
            f"HTTP 302 ×{statuses.count(302)}, 429 ×{statuses.count(429)} (2 pending per exercise, 10 posts a minute)",
        )
    ]


def run() -> list[Figure]:
    demo_database()
    return burst_wait() + post_limits()
