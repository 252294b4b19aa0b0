"""An upgrade's migration runs while the previous release serves a class, and nobody notices.

The production stack (`scripts/serve_production.py`: gunicorn on PostgreSQL) serves this checkout's
code, the "previous release". A second checkout, the "new release", adds migrations that only
expand the schema (new columns that INSERTs may leave out, a new table, an index; one existing
table per migration) and runs the upgrade's first step from there (`serve_production.py
--setup-only`) while students log in, start the quiz, answer, finish and read the review. Every
request succeeds, during and after, and every answer is stored.

Then the other side of the rule (ops/migration_safety.py): a migration that adds a NOT NULL column
with only a Python default, which the rule calls contracting, makes the previous release's INSERTs
fail at once, and no student can start the quiz. That is why such a migration waits for a later
release.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from benchmarks import load
from tests.ops import stack

pytestmark = [pytest.mark.slow, pytest.mark.own_postgres]

# The new release's expanding migrations: one existing table each (ops/migration_safety.py).
EXPANDING = {
    "upgrade_attempt": """
        migrations.AddField("attempt", "upgrade_note", models.TextField(null=True)),
        migrations.AddField("attempt", "upgrade_checked", models.BooleanField(db_default=False)),
        migrations.AddIndex("attempt", models.Index(fields=["started_at"], name="upgrade_started_idx")),
    """,
    "upgrade_attemptitem": """
        migrations.AddField("attemptitem", "upgrade_note", models.TextField(null=True)),
    """,
    "upgrade_note": """
        migrations.CreateModel(
            "UpgradeNote",
            [("id", models.BigAutoField(primary_key=True)), ("text", models.TextField())],
        ),
    """,
}
UPGRADE_LATER = """
        migrations.AddField("attempt", "upgrade_later", models.TextField(null=True)),
"""
CONTRACTING = """
        migrations.AddField("attempt", "upgrade_required", models.IntegerField(default=0)),
"""
MIGRATION = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quizzes", "{latest}")]
    operations = [{operations}]
"""


def add_migration(checkout: Path, name: str, operations: str) -> Path:
    folder = checkout / "quizzes" / "migrations"
    latest = max(path.stem for path in folder.glob("0*.py"))
    path = folder / f"{int(latest[:4]) + 1:04d}_{name}.py"
    path.write_text(MIGRATION.format(latest=latest, operations=operations))
    return path


def rule_says(path: Path, checkout: Path, env: dict[str, str]) -> str:
    """What ops/migration_safety.py says of the migration file, judged in the new release."""
    script = (
        "import django, importlib.util, sys\n"
        "django.setup()\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "from ops.migration_safety import migration_findings\n"
        f"spec = importlib.util.spec_from_file_location('probe', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        f"migration = module.Migration({path.stem!r}, 'quizzes')\n"
        "state = MigrationLoader(None).project_state(migration.dependencies[0], at_end=True)\n"
        "print([finding.reason for finding in migration_findings(migration, state)])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=checkout,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def upgrade_setup(checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The upgrade's first step as README gives it, run from the new release's checkout."""
    return subprocess.run(
        [sys.executable, "scripts/serve_production.py", "--setup-only"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_expanding_migration_runs_while_the_previous_release_serves_a_class(tmp_path):
    server_url = stack.postgres_url()
    new_release = stack.export_checkout(tmp_path / "new-release")
    with load.production_stack(server_url, 45, tmp_path, "2", None) as (base, env, _hasher, _pid):

        async def students(numbers: range, think: float):
            results = load.Results()
            await asyncio.gather(
                *(load.student(n, base, load.PASSWORD, load.QUIZ, results, think) for n in numbers)
            )
            return results

        def attempts_started() -> int:
            with psycopg.connect(env["DATABASE_URL"]) as database:
                return database.execute("SELECT count(*) FROM quizzes_attempt").fetchone()[0]

        async def class_while_migrating():
            wave = asyncio.create_task(students(range(1, 21), think=1.5))
            while await asyncio.to_thread(attempts_started) < 5:  # the class is in its attempts
                await asyncio.sleep(0.2)
            migrated = await asyncio.to_thread(upgrade_setup, new_release, env)
            return await wave, migrated

        for name, operations in EXPANDING.items():
            assert rule_says(add_migration(new_release, name, operations), new_release, env) == "[]"
        during, migrated = asyncio.run(class_while_migrating())
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        assert re.search(r"Applying quizzes\.\d+_upgrade_note\.\.\. OK", migrated.stdout), migrated.stdout
        after = asyncio.run(students(range(21, 41), think=0.0))

        for results in (during, after):
            assert not results.errors, dict(results.errors)
            assert results.finished == 20
        posted = during.answers_posted + after.answers_posted
        stored = int(
            load.manage(env, "shell", "-c", load.COUNT_STORED.format(prefix=load.USER_PREFIX)).split()[-1]
        )
        assert posted > 0 and stored == posted
        # The schema did grow, and the previous release's INSERTs got the new column's database default.
        with psycopg.connect(env["DATABASE_URL"]) as database:
            attempts, defaulted = database.execute(
                "SELECT count(*), count(*) FILTER (WHERE upgrade_checked = false) FROM quizzes_attempt"
            ).fetchone()
            # The first wave was in the middle of its attempts when the migration was applied.
            (spanning,) = database.execute(
                "SELECT count(*) FROM quizzes_attempt a, django_migrations m"
                " WHERE m.name LIKE '%_upgrade_attempt' AND a.started_at < m.applied AND a.finished_at > m.applied"
            ).fetchone()
        assert attempts == defaulted == 40
        assert spanning > 0  # attempts started before the migration and finished after it

        # A long transaction holds the table (a report, a backup): the migration gives way instead of
        # queueing every request behind it, and is tried again until the table is free.
        add_migration(new_release, "upgrade_attempt_later", UPGRADE_LATER)
        holder = psycopg.connect(env["DATABASE_URL"])
        holder.execute("LOCK TABLE quizzes_attempt IN ACCESS SHARE MODE")
        threading.Timer(2.5, holder.close).start()
        migrated = upgrade_setup(new_release, {**env, "MIGRATION_LOCK_TIMEOUT": "500ms"})
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        assert "canceling statement due to lock timeout" in migrated.stderr
        assert "migrate gave way to the running site" in migrated.stderr
        assert re.search(r"Applying quizzes\.\d+_upgrade_attempt_later\.\.\. OK", migrated.stdout)

        contracting = add_migration(new_release, "upgrade_contract", CONTRACTING)
        assert "NOT NULL column without a database default" in rule_says(contracting, new_release, env)
        migrated = upgrade_setup(new_release, env)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        broken = asyncio.run(students(range(41, 46), think=0.0))
        # Nobody could start: the previous release's INSERT of the attempt leaves the column out.
        assert broken.finished == 0 and broken.errors == {"start: HTTP 500": 5}, dict(broken.errors)
        with psycopg.connect(env["DATABASE_URL"]) as database:
            assert database.execute("SELECT count(*) FROM quizzes_attempt").fetchone() == (40,)
