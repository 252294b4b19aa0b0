"""`manage.py grade` as a user runs it: one JSON object per file, in order, and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grading.diagnosis import MISTAKES
from grading.exercises import get_exercise

PROJECT = Path(__file__).resolve().parents[2]
RECORD_KEYS = {"file", "exercise", "status", "score", "message", "diagnosis", "step_calls", "problems"}


def run_grade(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_DEBUG": "1", "SECRET_KEY": os.environ.get("SECRET_KEY", "x")}
    return subprocess.run(
        [sys.executable, "manage.py", "grade", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def submissions(tmp_path) -> dict[str, Path]:
    files = {
        "good": get_exercise("adam").reference_source,
        "buggy": MISTAKES["missing-bias-correction"].source_for("adam"),
        "broken": "def step(:\n",
    }
    paths = {}
    for name, source in files.items():
        paths[name] = tmp_path / f"{name}.py"
        paths[name].write_text(source)
    return paths


def test_json_lines_in_file_order_and_exit_zero_whatever_the_verdicts(submissions):
    order = [submissions["buggy"], submissions["good"], submissions["broken"]]
    result = run_grade("adam", *map(str, order), "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(p) for p in order]
    for record in records:
        assert set(record) == RECORD_KEYS
        assert record["exercise"] == "adam"
    buggy, good, broken = records
    assert (buggy["status"], buggy["diagnosis"]) == ("failed", ["missing-bias-correction"])
    assert (good["status"], good["score"]) == ("passed", 1.0)
    assert good["step_calls"] == 650
    assert {p["id"] for p in good["problems"]} >= {"tiny-gradients", "linear-layer"}
    assert broken["status"] == "error" and broken["problems"] == []


def test_readable_summary_without_json(submissions):
    result = run_grade("adam", str(submissions["buggy"]))
    assert result.returncode == 0, result.stderr
    assert "FAILED" in result.stdout and "missing-bias-correction" in result.stdout


def test_unknown_exercise_lists_the_known_ones(submissions):
    result = run_grade("adamax", str(submissions["good"]), "--json")
    assert result.returncode != 0
    assert "unknown exercise 'adamax'" in result.stderr and "adamw" in result.stderr
    assert result.stdout == ""


def test_missing_file_is_refused_before_grading_anything(submissions, tmp_path):
    result = run_grade("adam", str(submissions["good"]), str(tmp_path / "nope.py"), "--json")
    assert result.returncode != 0
    assert "no such file" in result.stderr
    assert result.stdout == ""
