"""Grading workers ride out database faults, report themselves, and stop gracefully."""

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError

from grading import worker
from grading.models import GradingWorker, Submission
from grading.resilience import Backoff
from grading.services import claim_next

ROOT = Path(settings.BASE_DIR)


def flaky(real, failures):
    """`real`, after raising each of `failures` once (what a restarting database looks like)."""
    pending = list(failures)

    def call(*args, **kwargs):
        if pending:
            raise pending.pop(0)
        return real(*args, **kwargs)

    return call


def test_transient_database_errors_do_not_end_the_worker(
    transactional_db, student, sgd, worker_sandbox, caplog
):
    # transactional_db: the worker drops its connection after an error, as it does in production,
    # which a test wrapped in one big transaction could not survive on PostgreSQL.
    submission = Submission.objects.create(student=student, exercise_slug="sgd", source=sgd.reference_source)
    errors = [
        OperationalError("database is locked"),
        InterfaceError("the connection is closed"),
        OperationalError("terminating connection due to administrator command"),
    ]
    with mock.patch.object(worker, "claim_next", flaky(claim_next, errors)), caplog.at_level(logging.WARNING):
        done = worker.GradingWorker(interval=0.01, batch=True, worker_id="flaky-db")
        done.run()
    submission.refresh_from_db()
    assert submission.status == "graded" and submission.claimed_by == "flaky-db"
    assert done.graded == 1
    assert caplog.text.count("database unavailable") == 3


def test_a_programming_error_is_not_swallowed(db, worker_sandbox):
    with mock.patch.object(worker, "claim_next", side_effect=ValueError("a bug")):
        with pytest.raises(ValueError, match="a bug"):
            worker.GradingWorker(interval=0.01, batch=True).run()


def test_backoff_doubles_up_to_its_cap_and_starts_over_after_a_success():
    backoff = Backoff(base=0.1, cap=1.0)
    delays = [backoff.next_delay() for _ in range(8)]
    ceilings = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]
    assert all(ceiling / 2 <= delay <= ceiling for delay, ceiling in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 0.1


def test_a_running_worker_has_a_row_and_removes_it_when_it_stops(student, sgd, worker_sandbox):
    Submission.objects.create(student=student, exercise_slug="sgd", source=sgd.reference_source)
    seen = []
    real_grade = worker.tasks.grade_claimed

    def grade_and_look(claim, **kwargs):
        seen.append(
            GradingWorker.objects.values("worker_id", "pid", "sandbox_ok", "current_submission_id").get()
        )
        return real_grade(claim, **kwargs)

    with mock.patch.object(worker.tasks, "grade_claimed", grade_and_look):
        worker.GradingWorker(interval=0.01, batch=True, worker_id="visible").run()
    (row,) = seen
    assert row["worker_id"] == "visible" and row["pid"] == os.getpid() and row["sandbox_ok"]
    assert row["current_submission_id"] == Submission.objects.get().pk
    assert not GradingWorker.objects.exists()


# -- SIGTERM, with real worker processes on a SQLite file ------------------------------------------

SPIN = """
import time

_spun = False

def init_state(params):
    return {{}}

def step(params, grads, state, *, lr):
    global _spun
    if not _spun:
        _spun = True
        until = time.monotonic() + {seconds}
        while time.monotonic() < until:
            pass
    return params - lr * grads, state
"""

CREATE = """
import sys
from accounts.services import user_create
from grading.models import Submission
student = user_create(username="sigterm", password="sigterm-pass-123")
print(Submission.objects.create(student=student, exercise_slug="sgd", source=sys.stdin.read()).pk)
"""


def manage(env, *args, stdin=""):
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def row(path, submission_id):
    import sqlite3

    with sqlite3.connect(path, timeout=20) as database:
        return database.execute(
            "SELECT status, attempts, claimed_by FROM grading_submission WHERE id = ?", (submission_id,)
        ).fetchone()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def sqlite_env(tmp_path):
    path = tmp_path / "workers.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{path}",
        SECRET_KEY="sigterm-test-only",
        DJANGO_DEBUG="0",
        GRADING_CPU_SECONDS="10",
    )
    manage(env, "migrate", "--noinput")
    return env, path


def start_worker(env, log, *extra):
    return subprocess.Popen(
        [sys.executable, "manage.py", "grading_worker", "--interval", "0.05", *extra],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spin", "grace", "expected"),
    [(1.5, "20", ("graded", 1)), (8.0, "1", ("queued", 0))],
    ids=["finishes-the-job", "gives-the-job-back-after-the-grace-period"],
)
def test_sigterm_stops_the_worker_after_its_current_job_or_its_grace_period(
    sqlite_env, tmp_path, spin, grace, expected
):
    env, path = sqlite_env
    submission_id = int(manage(env, "shell", "--no-imports", "-c", CREATE, stdin=SPIN.format(seconds=spin)))
    process = start_worker(env, tmp_path / "worker.log", "--grace", grace)
    try:
        wait_for(lambda: row(path, submission_id)[0] == "running", 60, "the worker to claim the submission")
        time.sleep(0.3)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    status, attempts, _ = row(path, submission_id)
    assert (status, attempts) == expected, (tmp_path / "worker.log").read_text()
    assert took < float(grace) + 3, f"the worker took {took:.1f} s to stop"
    import sqlite3

    with sqlite3.connect(path) as database:
        assert database.execute("SELECT COUNT(*) FROM grading_gradingworker").fetchone() == (0,)
