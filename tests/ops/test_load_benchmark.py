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
    assert "password hasher: argon2 m=7168,t=5,p=1" in out
    for kind in ("log-in", "start", "answer", "finish", "review"):
        assert f"| {kind} |" in out


def _results(p95_by_kind: dict[str, float], *, errors: int = 0):
    """Results whose every request type took the given seconds (so that is its p95), begun at 0 s."""
    from benchmarks.load import KINDS, Results

    results = Results()
    for kind in KINDS:
        took = p95_by_kind.get(kind, 0.1)
        results.samples[kind] = [took] * 5
        results.timeline += [(0.5, kind, took)] * 5
    if errors:
        results.errors["answer: HTTP 500"] = errors
    return results


def test_the_summary_of_several_runs_names_the_targets_each_run_missed():
    from benchmarks.load import runs_summary

    lines = runs_summary(
        [
            (_results({}), False),
            (_results({"start": 1.5, "log-in": 2.9}), False),
            (_results({"log-in": 3.2}), False),
            (_results({}, errors=2), True),
        ]
    )
    rows = [line for line in lines if line.startswith("| ") and line[2].isdigit()]
    assert rows[0].endswith("| 0 | yes |")
    assert rows[1].endswith("| 0 | no (start) |")  # a log-in at 2.9 s is within its 3 s target
    assert rows[2].endswith("| 0 | no (log-in) |")
    assert rows[3].endswith("| 2 | no (errors) |")
    assert lines[-1] == "targets met in 1 of 4 runs"


def test_one_runs_report_says_whether_the_targets_were_met():
    from benchmarks.load import report

    assert "p95 targets (log-in under 3 s, every other request type under 1 s): met" in report(
        _results({}), 1, 10.0, None
    )
    missed = report(_results({"quiz page": 1.25}), 1, 10.0, None)
    assert "missed by quiz page 1.25 s" in missed


def test_the_timeline_puts_each_request_in_the_window_it_began_with_the_cpus_busy_then():
    from benchmarks.load import Results, timeline_report

    results = Results()
    results.timeline = [(1.0, "log-in", 4.0), (2.0, "quiz page", 0.2), (12.0, "answer", 0.05)]
    results.busy_by_second = [(float(second), 2.0 if second <= 10 else 0.5) for second in range(1, 16)]
    rows = timeline_report(results)[2:]
    assert rows == [
        "| 0 | 2 | 3.810 | log-in (4.000) | 2.00 |",
        "| 10 | 1 | 0.050 | answer (0.050) | 0.50 |",
    ]


def test_a_shorter_window_splits_the_timeline_finer():
    from benchmarks.load import Results, timeline_report

    results = Results()
    results.timeline = [(0.5, "login page", 0.3), (1.5, "log-in", 2.0), (2.5, "quiz page", 0.2)]
    results.busy_by_second = [(1.0, 0.4), (2.0, 1.9), (3.0, 1.2)]
    rows = timeline_report(results, window=1.0)[2:]
    assert [row.split(" | ")[0] for row in rows] == ["| 0", "| 1", "| 2"]
    assert rows[1] == "| 1 | 1 | 2.000 | log-in (2.000) | 1.90 |"


def test_a_form_field_given_several_values_is_sent_once_per_value():
    from benchmarks.load import form_fields

    assert form_fields({"answer": ["b", "d"], "csrfmiddlewaretoken": "t"}) == [
        ("answer", "b"),
        ("answer", "d"),
        ("csrfmiddlewaretoken", "t"),
    ]


def test_the_server_cpu_counts_a_child_that_exited_during_the_run():
    """A gunicorn worker replaced mid-run must not take its CPU time out of the web figure."""
    import os
    import subprocess
    import sys

    from benchmarks.load import tree_cpu_seconds

    before = tree_cpu_seconds(os.getpid())
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)  # exits, and is reaped by this process
    assert tree_cpu_seconds(os.getpid()) - before >= 0.35
