"""`make bench-load` runs end to end: a few students against the production stack it starts itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.ops import stack

pytestmark = pytest.mark.slow


def test_three_students_take_the_quiz_with_every_answer_stored():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("makes its own PostgreSQL database: runs once, in the SQLite pass of `make test`")
    server = stack.postgres_url()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/load.py",
            "--students",
            "3",
            "--database-url",
            server,
            "--time-limit",
            "300",
        ],
        cwd=stack.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "students finished: 3 of 3" in out
    assert "errors: 0" in out
    assert "answers posted: 21, stored: 21 (lost: 0)" in out
    assert "password hasher: argon2 m=19456,t=2,p=1" in out
    for kind in ("log-in", "start", "answer", "finish", "review"):
        assert f"| {kind} |" in out
