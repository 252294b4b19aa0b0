"""A throw-away Django environment for the benchmarks: a fresh SQLite file, migrated, with the demo.

The database lives in a temporary folder that is deleted at exit, so benchmarks never touch the
developer's db.sqlite3. Django is configured once per process; sections share the setup.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_state: dict[str, object] = {}


def database_path() -> Path:
    """Where the benchmark database lives (created on first use)."""
    if "folder" not in _state:
        folder = Path(tempfile.mkdtemp(prefix="descent-bench-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _state["folder"] = folder
    return Path(_state["folder"]) / "bench.sqlite3"


def setup_django() -> None:
    """Configure Django against the temporary database (idempotent)."""
    if _state.get("configured"):
        return
    os.environ["DATABASE_URL"] = f"sqlite:///{database_path()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # WhiteNoise warns that collectstatic has not run; the site serves static files from the apps.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    # Lets the test client talk to the app with DEBUG off (adds "testserver" to ALLOWED_HOSTS).
    setup_test_environment()
    _state["configured"] = True


def demo_database() -> None:
    """Migrate the temporary database and load the demo content, once per process."""
    setup_django()
    if _state.get("demo_loaded"):
        return
    from django.core.management import call_command
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0, interactive=False)
    # The demo passwords are hashed at full strength in production; that is not what we time here.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("load_demo", stdout=io.StringIO())
    _state["demo_loaded"] = True


def graded_submission(student, slug: str, *, passed: bool, score: float, graded_at, mistake: str = ""):
    """An unsaved code submission as the grader leaves it, for benchmarks to bulk-create.

    A failed one carries one diagnosed mistake, `mistake`, so pages that count mistakes have some.
    """
    from grading.models import Submission  # Django is configured by setup_django first

    diagnosis = [] if passed else [{"name": mistake, "title": "", "explanation": ""}]
    return Submission(
        student=student,
        exercise_slug=slug,
        source="# bench",
        status=Submission.Status.GRADED,
        verdict={
            "status": "passed" if passed else "failed",
            "score": score,
            "diagnosis": diagnosis,
            "problems": [],
        },
        score=score,
        passed=passed,
        graded_at=graded_at,
    )
