"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_a_secret_key_is_required_when_debug_is_off():
    result = _check({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_with_the_development_key():
    assert _check({"DJANGO_DEBUG": "1"}).returncode == 0


def test_a_malformed_boolean_is_refused_with_its_name():
    result = _check({"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_a_malformed_integer_is_refused_with_its_name():
    result = _check({"SECRET_KEY": "x" * 50, "SECURE_HSTS_SECONDS": "a year"})
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS='a year' is not an integer" in result.stderr


def _setting(env: dict[str, str], expression: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL"}}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_log_in_lockout_and_proxy_count_come_from_the_environment():
    expression = "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(), settings.TRUSTED_PROXY_COUNT"
    assert _setting({}, expression) == "5 900.0 0"
    env = {"LOGIN_FAILURE_LIMIT": "8", "LOGIN_COOLOFF_MINUTES": "30", "TRUSTED_PROXY_COUNT": "1"}
    assert _setting(env, expression) == "8 1800.0 1"


def test_a_malformed_lockout_setting_is_refused_with_its_name():
    result = _check({"SECRET_KEY": "x" * 50, "LOGIN_COOLOFF_MINUTES": "a while"})
    assert result.returncode != 0
    assert "LOGIN_COOLOFF_MINUTES='a while' is not an integer" in result.stderr
