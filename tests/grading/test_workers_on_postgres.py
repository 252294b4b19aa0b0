"""Grading workers against a real PostgreSQL server: two separate checkouts share the queue, and
the server crashing mid-burst costs no verdict and no worker.

Both tests run `manage.py grading_worker` processes against a private server they start (see
tests/pg_server.py), so stopping it does not disturb anything else. They run once, in the SQLite
pass of `make test`; the PostgreSQL pass leaves them out (marker `own_postgres`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.stack import export_checkout
from tests.pg_server import PrivatePostgres, unavailable_reason

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.own_postgres]


@pytest.fixture(scope="module")
def postgres():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PrivatePostgres().init()
    server.start()
    yield server
    server.cleanup()


def worker_env(url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DATABASE_URL"}}
    env.update(DATABASE_URL=url, SECRET_KEY="pg-worker-test-only", DJANGO_DEBUG="0", **extra)
    return env


def manage(cwd: Path, env: dict, *args: str, stdin: str = "", timeout: float = 180) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_worker(cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "grading_worker", "--interval", "0.05", "--lease-seconds", "10"],
        cwd=cwd,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop_workers(workers: list[subprocess.Popen]) -> list[int | None]:
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in workers:
        try:
            codes.append(process.wait(timeout=20))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            codes.append(None)
    return codes


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # the server may be down on purpose
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def graded_counts(logs: list[Path]) -> dict[int, int]:
    """Submission id -> how many "graded" lines the workers logged for it."""
    counts: dict[int, int] = {}
    for log in logs:
        for match in re.finditer(r"submission (\d+) graded \(", log.read_text()):
            counts[int(match.group(1))] = counts.get(int(match.group(1)), 0) + 1
    return counts


CREATE_SUBMISSIONS = """
import sys
from django.contrib.auth import get_user_model
from grading.exercises import get_exercise
from grading.models import Submission
User = get_user_model()
count = int(sys.argv[-1]) if sys.argv[-1].isdigit() else 24
students = [User.objects.create(username=f"pg-student-{n}") for n in range(4)]
slugs = ["sgd", "momentum", "adam", "rmsprop"]
for n in range(count):
    slug = slugs[n % len(slugs)]
    Submission.objects.create(student=students[n % 4], exercise_slug=slug, source=get_exercise(slug).reference_source)
"""


def test_two_workers_from_two_checkouts_share_one_queue_and_grade_each_submission_once(postgres, tmp_path):
    url = postgres.create_database("two_checkouts")
    checkouts = [export_checkout(tmp_path / name) for name in ("checkout-a", "checkout-b")]
    env = worker_env(url)
    manage(checkouts[0], env, "migrate", "--noinput")
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(checkout, env, log) for checkout, log in zip(checkouts, logs, strict=True)]
    try:
        # Each worker runs the code of its own checkout.
        for process, checkout in zip(workers, checkouts, strict=True):
            assert Path(os.readlink(f"/proc/{process.pid}/cwd")) == checkout
        wait_for(
            lambda: (
                postgres.query(
                    "two_checkouts", "SELECT count(*) FROM grading_gradingworker WHERE sandbox_ok"
                )[0][0]
                == 2
            ),
            60,
            "both workers to start and pass their sandbox self-test",
        )
        manage(checkouts[0], env, "shell", "--no-imports", "-c", CREATE_SUBMISSIONS)
        rows = wait_for(
            lambda: (
                (
                    rows := postgres.query(
                        "two_checkouts", "SELECT id, status, attempts, claimed_by FROM grading_submission"
                    )
                )
                and all(status == "graded" for _, status, _, _ in rows)
                and rows
            ),
            90,
            "every submission to be graded",
        )
        assert all(process.poll() is None for process in workers)
    finally:
        codes = stop_workers(workers)
    assert codes == [0, 0], [log.read_text()[-2000:] for log in logs]
    assert len(rows) == 24 and all(attempts == 1 for _, _, attempts, _ in rows)
    graders = {claimed_by.rsplit(":", 1)[1] for _, _, _, claimed_by in rows}
    assert graders == {str(process.pid) for process in workers}, "both workers took part"
    assert graded_counts(logs) == {submission_id: 1 for submission_id, _, _, _ in rows}


SUBMITTER = """
import json, secrets, sys, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from grading.exercises import get_exercise

User = get_user_model()
total = 30
clients = []
for n in range(total):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create(username=f"crash-student-{n}"))
    clients.append(client)
source = get_exercise("sgd").reference_source
print(json.dumps({"ready": True}), flush=True)
for n, client in enumerate(clients):
    token = secrets.token_urlsafe(18)
    failures = 0
    while True:  # a student who sees an error submits the same page again
        response = client.post("/grading/sgd/", {"source": source, "client_token": token})
        if response.status_code == 302:
            print(json.dumps({"token": token, "id": int(response.url.rstrip("/").rsplit("/", 1)[1]),
                              "failures": failures}), flush=True)
            break
        assert response.status_code in (500, 503), response.status_code
        # A real server drops a broken connection when the request ends; the test client
        # leaves that to us.
        connection.close()
        failures += 1
        time.sleep(0.3)
    time.sleep(0.25)
"""


def test_a_database_crash_mid_burst_costs_no_submission_no_verdict_and_no_worker(postgres, tmp_path):
    url = postgres.create_database("crash")
    env = worker_env(url, ALLOWED_HOSTS="testserver", SECURE_COOKIES="0")
    manage(ROOT, env, "migrate", "--noinput")
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(ROOT, env, log) for log in logs]
    submitter_log = tmp_path / "submitter.jsonl"
    submitter = None
    try:
        wait_for(
            lambda: (
                postgres.query("crash", "SELECT count(*) FROM grading_gradingworker WHERE sandbox_ok")[0][0]
                == 2
            ),
            60,
            "both workers to start",
        )
        submitter = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", SUBMITTER],
            cwd=ROOT,
            env=env,
            stdout=submitter_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: postgres.query("crash", "SELECT count(*) FROM grading_submission")[0][0] >= 8,
            60,
            "the burst to be under way",
        )
        postgres.stop_immediately()
        time.sleep(6)
        postgres.start()
        assert submitter.wait(timeout=120) == 0, submitter_log.read_text()[-3000:]
        accepted = [json.loads(line) for line in submitter_log.read_text().splitlines() if '"token"' in line]
        rows = wait_for(
            lambda: (
                (rows := postgres.query("crash", "SELECT id, status, client_token FROM grading_submission"))
                and all(status == "graded" for _, status, _ in rows)
                and rows
            ),
            90,
            "every accepted submission to be graded",
        )
        alive = [process.poll() is None for process in workers]
    finally:
        if submitter is not None and submitter.poll() is None:
            submitter.kill()
            submitter.wait()
        codes = stop_workers(workers)
    worker_logs = [log.read_text() for log in logs]
    assert alive == [True, True], worker_logs
    assert codes == [0, 0]
    assert len(accepted) == 30
    assert sum(entry["failures"] for entry in accepted) > 0, "the crash hit some posts"
    assert sorted((entry["id"], entry["token"]) for entry in accepted) == sorted(
        (submission_id, token) for submission_id, _, token in rows
    ), "every post stored exactly one submission"
    assert graded_counts(logs) == {entry["id"]: 1 for entry in accepted}
    assert all("database unavailable" in log for log in worker_logs), "both workers saw the crash"
