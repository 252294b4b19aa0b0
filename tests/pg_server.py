"""A private, throw-away PostgreSQL server for tests that must stop and start their database.

Uses the PostgreSQL 15 server binaries (as `.ci/run` does), in a temporary folder, on a free
loopback port, run as the `postgres` user when the tests run as root (the server refuses root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("DESCENT_PG_BIN", "/usr/lib/postgresql/15/bin"))


def unavailable_reason() -> str | None:
    """Why a private server cannot run here, or None if it can."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"PostgreSQL server binaries are not installed ({PG_BIN}); .ci/run installs postgresql-15"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a `postgres` user to run the server as"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="descent-private-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")

    def _as_owner(self, *command: str | Path, timeout: float = 60) -> None:
        argv = [str(part) for part in command]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stdout[-800:]}{done.stderr[-800:]}")

    def init(self) -> PrivatePostgres:
        self._as_owner(PG_BIN / "initdb", "-D", self.data, "-U", "descent", "-A", "trust", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off"
        self._as_owner(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o", options, "start")

    def stop_immediately(self) -> None:
        """What a crash looks like to clients: every connection dropped, no shutdown handshake."""
        self._as_owner(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self._as_owner(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        except RuntimeError:
            pass

    def url(self, database: str) -> str:
        return f"postgres://descent@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database: str, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
