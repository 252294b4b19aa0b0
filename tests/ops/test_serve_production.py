"""`make serve` (scripts/serve_production.py): refuses an unsafe environment with a message, restarts
children that die, and stops them all on SIGTERM within the grace period. Real processes throughout."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.ops import stack

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "serve_production.py"


serve = stack.serve_script()

GOOD = {
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "descent.example.edu",
    "DATABASE_URL": "postgres://descent@db.example.edu/descent",
}


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(serve.ConfigurationError) as caught:
        serve.production_environment(env)
    return str(caught.value)


def test_the_production_environment_turns_debug_off_and_collects_static_files():
    env = serve.production_environment(GOOD)
    assert env["DJANGO_DEBUG"] == "0"
    assert env["STATIC_MANIFEST"] == "1"
    assert env["LOG_FORMAT"] == "json"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_each_required_setting_is_named_when_missing(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    assert f"{missing} is not set" in refusal(env)


def test_sqlite_is_refused_in_production_unless_explicitly_allowed():
    message = refusal({**GOOD, "DATABASE_URL": "sqlite:////srv/descent/db.sqlite3"})
    assert "production uses PostgreSQL" in message and "DESCENT_ALLOW_SQLITE=1" in message
    allowed = serve.production_environment(
        {**GOOD, "DATABASE_URL": "sqlite:////srv/descent/db.sqlite3", "DESCENT_ALLOW_SQLITE": "1"}
    )
    assert allowed["DATABASE_URL"].startswith("sqlite")


def test_debug_on_is_refused():
    assert "DJANGO_DEBUG is on" in refusal({**GOOD, "DJANGO_DEBUG": "1"})


def test_the_command_prints_every_problem_and_exits_non_zero():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        assert f"{name} is not set" in result.stderr


def test_a_malformed_worker_count_is_refused(monkeypatch):
    with pytest.raises(serve.ConfigurationError, match="GRADING_WORKERS='many' is not an integer"):
        serve.positive_int("GRADING_WORKERS", "many", 2)


def test_restart_backoff_grows_while_a_child_keeps_dying_and_resets_after_a_healthy_run():
    child = serve.Child("w", ["true"], {})
    child.started_at = 0.0
    delays = []
    for _ in range(8):
        delays.append(child.schedule_restart(now=child.started_at + 0.5))
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    child.started_at = 1000.0
    assert child.schedule_restart(now=1000.0 + serve.HEALTHY_AFTER + 1) == 1


# A child that records its pid, and on SIGTERM records that it stopped cleanly (or ignores it).
CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    folder, name, stubborn = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    def stopped(*_):
        with open(os.path.join(folder, name + ".stopped"), "a") as f:
            f.write(f"{os.getpid()}\\n")
        sys.exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN if stubborn else stopped)
    with open(os.path.join(folder, name + ".pids"), "a") as f:
        f.write(f"{os.getpid()}\\n")
    while True:
        time.sleep(0.05)
    """
)

HARNESS = textwrap.dedent(
    """
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("serve_production", sys.argv[1])
    serve = importlib.util.module_from_spec(spec); sys.modules[spec.name] = serve
    spec.loader.exec_module(serve)
    serve.BACKOFF_FIRST = 0.2
    folder, child = sys.argv[2], sys.argv[3]
    children = [
        serve.Child("worker", [sys.executable, child, folder, "worker", "0"], {}),
        serve.Child("stubborn", [sys.executable, child, folder, "stubborn", "1"], {}),
    ]
    sys.exit(serve.Supervisor(children, grace=2.0).run(poll=0.05))
    """
)


def pids(folder: Path, name: str) -> list[int]:
    path = folder / f"{name}.pids"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_killed_worker_is_restarted_and_sigterm_stops_everything_within_the_grace_period(tmp_path):
    (tmp_path / "child.py").write_text(CHILD)
    (tmp_path / "harness.py").write_text(HARNESS)
    supervisor = subprocess.Popen(
        [
            sys.executable,
            str(tmp_path / "harness.py"),
            str(SCRIPT),
            str(tmp_path),
            str(tmp_path / "child.py"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: pids(tmp_path, "worker") and pids(tmp_path, "stubborn"))
        first = pids(tmp_path, "worker")[0]
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: len(pids(tmp_path, "worker")) == 2)
        replacement = pids(tmp_path, "worker")[1]
        assert replacement != first

        started = time.monotonic()
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=15) == 0
        took = time.monotonic() - started
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    log = supervisor.stderr.read()
    # The worker got SIGTERM and stopped cleanly; the one ignoring it was killed after the 2 s grace.
    assert (tmp_path / "worker.stopped").read_text().split() == [str(replacement)]
    assert not (tmp_path / "stubborn.stopped").exists()
    assert 2.0 <= took < 10, took
    assert f"worker (pid {first}) exited with -9; restarting" in log
    assert "stubborn" in log and "killed" in log
    for pid in pids(tmp_path, "stubborn") + [replacement]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_the_master_freezes_what_it_imported_before_forking_the_web_workers():
    import gc

    spec = importlib.util.spec_from_file_location("gunicorn_settings", ROOT / "deploy" / "gunicorn.conf.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    gc.unfreeze()
    try:
        settings.when_ready(server=None)
        assert gc.get_freeze_count() > 1000  # this test process's modules, at least
    finally:
        gc.unfreeze()


def test_a_migration_that_fails_for_another_reason_than_a_busy_table_is_not_tried_again(tmp_path):
    runs = tmp_path / "runs"
    failing = [
        sys.executable,
        "-c",
        f"open({str(runs)!r}, 'a').write('x'); raise SystemExit('no such column')",
    ]
    with pytest.raises(subprocess.CalledProcessError):
        serve.migrate_beside_the_running_site({"MIGRATION_ATTEMPTS": "5"}, failing)
    assert runs.read_text() == "x"
