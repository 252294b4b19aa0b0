"""Request CPU: the server's CPU time and database queries per request on a student's hot path.

A wall-clock load test on a shared machine mostly measures the other processes; the CPU time one
request costs the web process does not move with the load, and it is what decides how many students
one core serves. Each round, a fresh student (password hashed by the site's own hasher, Argon2id)
goes through what the load benchmark's students do, through Django's test client with the site's
settings (DEBUG off, cached template loaders, every middleware, CSRF checks on, database sessions
and cache): log-in page, log-in, quiz list, quiz page, start, attempt page, an answer to every
item (each followed by the attempt page it redirects to), finish, review. That is done for the
load benchmark's quiz (`warm-up-sgd`) and for the timed checkpoint that holds every item kind
(`checkpoint-mixed`), so the answer posts are reported per item kind.

Each request is timed with `time.process_time()` (this process's CPU, user + system) and its
queries counted with Django's CaptureQueriesContext. Printed per request type: CPU ms p50 / mean,
and queries per request (median; the range when it varies). Symbolic answers are checked in a
worker process (quizzes/engine/isolation.py) whose CPU is not in these figures.

    python -m benchmarks.request_cpu          # or: python benchmarks/run.py --only request-cpu
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import Figure, percentile  # noqa: E402

SECTION = "request-cpu"
ROUNDS = int(os.environ.get("BENCH_REQUEST_ROUNDS", "12"))
WARM_ROUNDS = 2
# BENCH_PROFILE="attempt page" also prints cProfile's top 40 for requests of that type, by cumulative time
# (BENCH_PROFILE_SORT=tottime: by time spent in the function itself).
PROFILE_KIND = os.environ.get("BENCH_PROFILE", "")
QUIZZES = ("warm-up-sgd", "checkpoint-mixed")
PASSWORD = "bench-" + "student-pass"
ORDER = [
    "login page",
    "log-in",
    "quiz list",
    "quiz page",
    "start",
    "attempt page",
    "answer",
    "attempt page after answer",
    "finish",
    "review",
]


class Recorder:
    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.queries: dict[str, list[int]] = defaultdict(list)
        self.active = True
        self.profile = cProfile.Profile() if PROFILE_KIND else None

    def request(self, kind: str, call, expect: int):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        connection.queries_log.clear()  # the log keeps 9,000 queries: counting needs room
        profiling = self.active and self.profile is not None and kind.startswith(PROFILE_KIND)
        with CaptureQueriesContext(connection) as captured:
            if profiling:
                self.profile.enable()
            started = time.process_time()
            response = call()
            spent = time.process_time() - started
            if profiling:
                self.profile.disable()
        if response.status_code != expect:
            raise RuntimeError(f"{kind}: HTTP {response.status_code}, expected {expect}")
        if self.active:
            self.cpu[kind].append(spent)
            self.queries[kind].append(len(captured.captured_queries))
        return response


def _students(count: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    User = get_user_model()
    hashed = make_password(PASSWORD)  # the site's first hasher, as a real student's password
    names = [f"bench-cpu-{n:04d}" for n in range(count)]
    User.objects.bulk_create([User(username=name, password=hashed) for name in names])
    Group.objects.get(name="students").user_set.add(*User.objects.filter(username__in=names))
    return names


def _one_student(recorder: Recorder, client, username: str) -> None:
    from http.cookies import SimpleCookie

    from benchmarks.load import answer_for, forms_of
    from quizzes.models import AttemptItem

    client.cookies = SimpleCookie()  # a new browser; the handler (middleware) stays, as in a server
    recorder.request("login page", lambda: client.get("/accounts/login/"), 200)
    token = client.cookies["csrftoken"].value
    recorder.request(
        "log-in",
        lambda: client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        ),
        302,
    )
    token = client.cookies["csrftoken"].value
    recorder.request("quiz list", lambda: client.get("/quizzes/"), 200)
    for quiz in QUIZZES:
        recorder.request("quiz page", lambda q=quiz: client.get(f"/quizzes/quiz/{q}/"), 200)
        started = recorder.request(
            "start",
            lambda q=quiz: client.post(f"/quizzes/quiz/{q}/start/", {"csrfmiddlewaretoken": token}),
            302,
        )
        attempt_url = started["Location"]
        page = recorder.request("attempt page", lambda u=attempt_url: client.get(u), 200)
        forms = forms_of(page.content.decode())
        answer_forms = [form for form in forms if "answer-form" in form["class"]]
        finish = next(form for form in forms if "finish-form" in form["class"])
        kinds = dict(
            AttemptItem.objects.filter(attempt_id=int(attempt_url.rstrip("/").split("/")[-1])).values_list(
                "position", "item__kind"
            )
        )
        for form in answer_forms:
            position = int(form["action"].rstrip("/").split("/")[-2])
            data = {"csrfmiddlewaretoken": token, **answer_for(form)}
            posted = recorder.request(
                f"answer {kinds[position]}", lambda f=form, d=data: client.post(f["action"], d), 302
            )
            recorder.request("attempt page after answer", lambda p=posted: client.get(p["Location"]), 200)
        finished = recorder.request(
            "finish", lambda f=finish: client.post(f["action"], {"csrfmiddlewaretoken": token}), 302
        )
        recorder.request("review", lambda u=finished["Location"]: client.get(u), 200)


def measure(rounds: int = ROUNDS) -> Recorder:
    from benchmarks.django_env import demo_database

    os.environ.pop("DJANGO_DEBUG", None)
    demo_database()
    from django.conf import settings

    assert not settings.DEBUG, "measure with the production setting DEBUG off"
    from django.template.base import Template
    from django.test import Client
    from django.test.utils import _TestState

    from quizzes.engine import isolation

    # The test environment wraps template rendering to record templates for tests (a signal per
    # template); a server does not, so the plain renderer comes back for the measurement.
    saved = getattr(_TestState, "saved_data", None)
    if saved is not None:
        Template._render = saved.template_render
    isolation.warm()
    recorder = Recorder()
    names = _students(WARM_ROUNDS + rounds)
    # One client, so one handler: the middleware is loaded once (WhiteNoise indexes the static
    # files then), as in a server process; each student gets fresh cookies.
    client = Client(enforce_csrf_checks=True)
    recorder.active = False
    for name in names[:WARM_ROUNDS]:  # templates compiled, caches and code paths warm, as in a server
        _one_student(recorder, client, name)
    recorder.active = True
    for name in names[WARM_ROUNDS:]:
        _one_student(recorder, client, name)
    return recorder


def _kinds(recorder: Recorder) -> list[str]:
    answers = sorted(kind for kind in recorder.cpu if kind.startswith("answer "))
    ordered = []
    for kind in ORDER:
        ordered += answers if kind == "answer" else [kind]
    return [kind for kind in ordered if kind in recorder.cpu]


def _queries(values: list[int]) -> str:
    low, high, middle = min(values), max(values), statistics.median_low(values)
    return f"{middle}" if low == high else f"{middle} ({low}–{high})"


def run() -> list[Figure]:
    recorder = measure()
    if recorder.profile is not None:
        stats = pstats.Stats(recorder.profile, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        )
        stats.print_stats(os.environ.get("BENCH_PROFILE_FILTER", ""), 40)
    figures = []
    total_cpu = total_requests = 0.0
    for kind in _kinds(recorder):
        samples = recorder.cpu[kind]
        total_cpu += sum(samples)
        total_requests += len(samples)
        figures.append(
            Figure(
                SECTION,
                f"{kind} (n={len(samples)}) CPU p50 / mean",
                f"{percentile(samples, 0.5) * 1e3:.1f} / {statistics.fmean(samples) * 1e3:.1f} ms",
                "",
                f"queries {_queries(recorder.queries[kind])}",
            )
        )
    figures.append(
        Figure(
            SECTION,
            "every request of the rounds, CPU mean",
            f"{total_cpu / total_requests * 1e3:.1f} ms",
            "",
            f"{int(total_requests)} requests",
        )
    )
    return figures


if __name__ == "__main__":
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    from benchmarks.timing import print_table

    print_table(run())
