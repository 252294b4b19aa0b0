"""The plain half of exercise authoring (content, zips, validation) runs with no Django loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
from grading.authoring import content, validation, zipio
from grading.exercises import get_exercise, register
exercise = register(content.exercise_from_content("my-sgd", content.content_of(get_exercise("sgd"))))
files = zipio.read_exercise_zip(zipio.write_exercise_zip("my-sgd", content.files_of(exercise))).files
assert exercise.slug.startswith("my-sgd@") and set(files) == {"info.yaml", "statement.md", "starter.py", "reference.py"}
print("django" in sys.modules)
"""


def test_authoring_core_imports_and_runs_without_django():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]
