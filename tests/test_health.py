"""/healthz, /readyz and `manage.py queue_status`: what operators and load balancers read."""

import json
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from config import health
from grading.models import GradingWorker, Submission


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


@pytest.fixture
def queue_state(student):
    now = timezone.now()
    old = Submission.objects.create(student=student, exercise_slug="sgd", source="a")
    Submission.objects.filter(pk=old.pk).update(created_at=now - timedelta(seconds=90))
    Submission.objects.create(student=student, exercise_slug="adam", source="b")
    Submission.objects.create(student=student, exercise_slug="nadam", source="c", status="running")
    GradingWorker.objects.create(
        worker_id="host-a:101",
        host="host-a",
        pid=101,
        started_at=now,
        beat_at=now,
        sandbox_ok=True,
        sandbox_detail="root: namespaces",
        current_submission_id=7,
    )
    GradingWorker.objects.create(
        worker_id="host-b:202",
        host="host-b",
        pid=202,
        started_at=now - timedelta(hours=1),
        beat_at=now - timedelta(minutes=5),
        sandbox_ok=False,
        sandbox_detail="sandbox self-test failed: network",
    )


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django turns any database access into an error.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "alive"}


def test_readyz_reports_the_queue_and_the_workers(client, queue_state):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert (body["status"], body["database"], body["migrations"]) == ("ready", "ok", "applied")
    grading = body["grading"]
    assert (grading["queued"], grading["running"]) == (2, 1)
    assert 89 <= grading["oldest_queued_seconds"] < 120
    assert grading["live_workers"] == 1
    by_id = {worker["worker_id"]: worker for worker in grading["workers"]}
    assert by_id["host-a:101"]["live"] and by_id["host-a:101"]["sandbox_ok"]
    assert by_id["host-a:101"]["current_submission"] == 7
    assert not by_id["host-b:202"]["live"] and not by_id["host-b:202"]["sandbox_ok"]
    assert by_id["host-b:202"]["seconds_since_beat"] >= 299


def test_readyz_is_503_while_a_migration_is_not_applied(client, db, monkeypatch):
    # A process remembers once it has seen every migration applied; this one has not looked yet.
    monkeypatch.setattr(health, "_migrations_applied", False)
    # grading's newest migration, as if this code had been deployed before `migrate` ran
    (newest,) = [name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "grading"]
    MigrationRecorder.Migration.objects.filter(app="grading", name=newest).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert f"grading.{newest}" in response.json()["unapplied_migrations"]


def test_readyz_is_503_when_the_database_does_not_answer(client, db):
    broken = mock.patch.object(
        health.connection, "cursor", side_effect=OperationalError("connection refused")
    )
    with broken:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("unreachable: OperationalError: connection refused")


def test_queue_status_prints_what_readyz_reports(queue_state):
    out = StringIO()
    call_command("queue_status", stdout=out)
    text = out.getvalue()
    assert "queued: 2" in text and "running: 1" in text and "oldest queued: 9" in text
    assert "live workers: 1 (1 with a passing sandbox self-test)" in text
    assert "host-a:101" in text and "grading #7" in text
    assert "NOT BEATING" in text and "SANDBOX FAILED: sandbox self-test failed: network" in text
    out = StringIO()
    call_command("queue_status", "--json", stdout=out)
    assert json.loads(out.getvalue())["queued"] == 2
