"""`make run`'s server (scripts/serve.py) stops its children however it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Processes whose parent is `pid`, read from /proc/<n>/stat (field 4 is the parent's id)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell starts a background job


@pytest.mark.parametrize(
    "stop, started_in_background",
    [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGTERM, True)],
    ids=["sigterm", "sighup", "sigterm-background-job"],
)
def test_killing_the_development_server_stops_its_web_server_and_worker(
    tmp_path, stop, started_in_background
):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_DEBUG="1")
    errors = open(tmp_path / "stderr.txt", "w+")
    serve = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        preexec_fn=_ignore_sigint if started_in_background else None,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not port_open(port):
            assert serve.poll() is None, "the development server exited on its own"
            assert time.monotonic() < deadline, "runserver never listened"
            time.sleep(0.2)
        children = children_of(serve.pid)
        assert children, "serve.py started no child processes"

        serve.send_signal(stop)
        serve.wait(timeout=20)

        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if alive(pid)], "children outlived serve.py"
        assert not port_open(port)
        errors.seek(0)
        assert "did not stop" not in errors.read()  # each child stopped on its signal, none was killed
    finally:
        for pid in [serve.pid, *children]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)  # a failing run must not leave servers behind
        serve.wait(timeout=5)
        errors.close()
