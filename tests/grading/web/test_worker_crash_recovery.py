"""A grading worker killed mid-grade loses nothing: another worker grades the submission, once.

Real worker processes (`manage.py grading_worker`) run against a database they can reach: a
SQLite file made for this test, or pytest-django's PostgreSQL test database when DATABASE_URL
points at PostgreSQL (the in-memory SQLite test database is invisible to other processes).
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
LEASE_SECONDS = "1"

# Passes the SGD exercise, but its very first step call spins for about two seconds (inside the
# sandbox's time limits), which leaves a wide window to kill the worker mid-grade.
SLOW_SGD = """
import time
import numpy as np

_spun = False

def init_state(params):
    return {}

def step(params, grads, state, *, lr):
    global _spun
    if not _spun:
        _spun = True
        until = time.monotonic() + 2.0
        while time.monotonic() < until:
            pass
    return params - lr * grads, state
"""

CREATE = """
import json, sys
from accounts.services import user_create
from grading.services import submission_create
student = user_create(username="crash-test", password="crash-test-pass-123")
submission = submission_create(student=student, exercise="sgd", source=sys.stdin.read())
print(json.dumps({"id": submission.pk}))
"""


class WorkerDatabase:
    """Where the worker subprocesses connect, and how the test reads the submission back."""

    def __init__(self, url: str, sqlite_path: Path | None):
        self.url = url
        self.sqlite_path = sqlite_path

    def env(self) -> dict[str, str]:
        # A generous CPU limit: the submission below spins for two seconds on purpose.
        return dict(
            os.environ,
            DATABASE_URL=self.url,
            SECRET_KEY="crash-test-only",
            DJANGO_DEBUG="0",
            GRADING_CPU_SECONDS="5",
        )

    def manage(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def submission(self, submission_id: int) -> dict:
        query = (
            "SELECT status, attempts, claimed_by, verdict, graded_at FROM grading_submission WHERE id = %s"
        )
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path, timeout=20) as db:
                row = db.execute(query.replace("%s", "?"), (submission_id,)).fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(query, [submission_id])
                row = cursor.fetchone()
        verdict = json.loads(row[3]) if isinstance(row[3], str) else row[3]
        return {
            "status": row[0],
            "attempts": row[1],
            "claimed_by": row[2],
            "verdict": verdict,
            "graded_at": row[4],
        }


@pytest.fixture
def worker_database(request, tmp_path) -> WorkerDatabase:
    if connection.vendor == "sqlite":
        path = tmp_path / "workers.sqlite3"
        database = WorkerDatabase(f"sqlite:///{path}", path)
        database.manage("migrate", "--noinput")
        return database
    request.getfixturevalue("transactional_db")  # committed rows that other processes can see
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return WorkerDatabase(f"postgres://{credentials}@{host}/{db['NAME']}", None)


def start_worker(database: WorkerDatabase, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "grading_worker",
            "--lease-seconds",
            LEASE_SECONDS,
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=database.env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_worker_killed_mid_grade_leaves_the_submission_to_another_worker(worker_database, tmp_path):
    submission_id = json.loads(worker_database.manage("shell", "--no-imports", "-c", CREATE, stdin=SLOW_SGD))[
        "id"
    ]
    assert worker_database.submission(submission_id)["status"] == "queued"

    first = start_worker(worker_database, tmp_path / "first.log")
    second = None
    try:
        claimed = wait_for(
            lambda: (row := worker_database.submission(submission_id))["status"] == "running" and row,
            timeout=60,
            what="the first worker to claim the submission",
        )
        assert claimed["claimed_by"].endswith(f":{first.pid}")
        time.sleep(0.5)  # well inside the two-second step: the worker is mid-grade
        assert worker_database.submission(submission_id)["status"] == "running"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        second = start_worker(worker_database, tmp_path / "second.log")
        graded = wait_for(
            lambda: (row := worker_database.submission(submission_id))["status"] == "graded" and row,
            timeout=90,
            what="the second worker to grade the submission",
        )
        assert graded["claimed_by"].endswith(f":{second.pid}"), "the dead worker cannot have finished it"
        assert graded["attempts"] == 2
        assert graded["verdict"]["status"] == "passed", graded["verdict"]["message"]
        # Exactly one worker stored a verdict, once.
        time.sleep(1.5)  # give a duplicate grading, if there were one, time to happen
        assert worker_database.submission(submission_id)["graded_at"] == graded["graded_at"]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    log = (tmp_path / "second.log").read_text()
    assert "queued again" in log or "re-queued" in log
    logs = log + (tmp_path / "first.log").read_text()
    assert logs.count(f"submission {submission_id} graded") == 1, logs
