"""Behind PgBouncer in transaction mode, the documented switch (DATABASE_PREPARE_THRESHOLD=0) keeps
the site's queries working, and hosts started together still migrate one at a time.

In transaction mode PgBouncer hands each transaction to whichever server connection is free, so a
statement one client prepared is seen by the others: PgBouncer 1.18 (Debian 12's) does not track
them. Here two connections of one Django process (two request threads, in effect) take turns on a
pool of one server connection, which is what a busy pool does to them sooner or later.

These run in the PostgreSQL pass of `make test` only; .ci/run installs Debian's pgbouncer.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import skip_unless_ci
from tests.ops import stack
from tests.ops.stack import ROOT, base_environment, free_port

pytestmark = pytest.mark.django_db

# Two connections of one process take turns, as a web process's request threads do.
TAKE_TURNS = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connections

users = get_user_model().objects
other = connections.create_connection("default")
for number in range(12):
    users.filter(pk=number).exists()
    with other.cursor() as cursor:
        cursor.execute("SELECT id FROM auth_user WHERE id = %s", [number])
        cursor.fetchall()
other.close()
print("twelve turns each")
"""


@pytest.fixture
def pgbouncer() -> Iterator[Callable[[int], str]]:
    """Starts PgBouncer on a free loopback port, in transaction mode with `pool_size` server
    connections, in front of the test database; returns the site's DATABASE_URL through it."""
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer sits in front of PostgreSQL")
    program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(program).exists():
        skip_unless_ci("pgbouncer is missing: install Debian's pgbouncer (.ci/run does)")
    database = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="descent-pgbouncer-"))
    folder.chmod(0o755)  # read by the unprivileged user it runs as when the tests run as root
    processes: list[subprocess.Popen] = []

    def start(pool_size: int) -> str:
        port = free_port()
        config = folder / f"pgbouncer-{port}.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} user={database['USER']}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = any\npool_mode = transaction\ndefault_pool_size = {pool_size}\n"
            "max_client_conn = 20\n"
        )
        config.chmod(0o644)
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
        process = subprocess.Popen([program, *as_user, str(config)], stderr=subprocess.PIPE, text=True)
        processes.append(process)
        wait_until_listening(port, process)
        return f"postgres://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited with {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"pgbouncer did not listen on port {port} within {timeout:.0f} s")


def take_turns(database_url: str, **settings: str) -> subprocess.CompletedProcess:
    env = base_environment(database_url, DJANGO_SETTINGS_MODULE="config.settings", **settings)
    return subprocess.run(
        [sys.executable, "-c", TAKE_TURNS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_with_preparing_off_two_connections_share_one_pgbouncer_server_connection(pgbouncer):
    result = take_turns(pgbouncer(pool_size=1), DATABASE_PREPARE_THRESHOLD="0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "twelve turns each"


def test_with_preparing_on_pgbouncer_in_transaction_mode_mixes_up_prepared_statements(pgbouncer):
    """Why the switch exists: the default (prepare after five runs) fails behind this pooler."""
    result = take_turns(pgbouncer(pool_size=1))

    assert result.returncode != 0
    assert "DuplicatePreparedStatement" in result.stderr or "does not exist" in result.stderr


# --- hosts started together migrate one at a time (scripts/serve_production.py) ------------------


@pytest.mark.parametrize("route", ["direct", "through PgBouncer"])
def test_a_second_host_waits_for_the_first_to_finish_migrating_and_nothing_is_left_locked(route, pgbouncer):
    direct = stack.with_database(stack.postgres_url(), connection.settings_dict["NAME"])
    url = direct if route == "direct" else pgbouncer(pool_size=3)
    migration_lock = stack.serve_script().migration_lock
    order: list[str] = []
    first_in, first_may_finish = threading.Event(), threading.Event()

    def first_host():
        with migration_lock(url):
            order.append("first migrates")
            first_in.set()
            first_may_finish.wait(20)
            order.append("first done")

    def second_host():
        first_in.wait(20)
        with migration_lock(url):
            order.append("second migrates")

    # Daemon threads: a host stuck for good (the fault this test looks for) must not hang the run.
    hosts = [
        threading.Thread(target=first_host, daemon=True),
        threading.Thread(target=second_host, daemon=True),
    ]
    for host in hosts:
        host.start()
    assert first_in.wait(20)
    time.sleep(0.5)  # time enough for the second host to get in, were the lock not held
    first_may_finish.set()
    for host in hosts:
        host.join(30)
    assert order == ["first migrates", "first done", "second migrates"]

    # A host started later (a deploy) is not blocked by anything the first two left behind.
    later_done = threading.Event()

    def later_host():
        with migration_lock(url):
            later_done.set()

    later = threading.Thread(target=later_host, daemon=True)
    later.start()
    assert later_done.wait(10), "the lock was left held"
