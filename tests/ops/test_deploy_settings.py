"""The documented production environment passes `check --deploy`; deployment settings follow it."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "production.env.example"


def documented_environment() -> dict[str, str]:
    env = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "ADMIN_PATH"}
    }
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True)


def settings_value(expression: str, env: dict[str, str]) -> str:
    script = f"import django; django.setup(); from django.conf import settings; from django.urls import reverse; print({expression})"
    result = run([sys.executable, "-c", script], {**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_in_the_documented_production_environment():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        documented_environment(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_documented_https_settings_check_deploy_complains():
    env = documented_environment()
    env.pop("SECURE_HSTS_SECONDS")
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_the_admin_moves_to_admin_path():
    env = {"SECRET_KEY": "x" * 50, "ADMIN_PATH": "/staff-door/"}
    assert settings_value("reverse('admin:index')", env) == "/staff-door/"


def test_a_malformed_admin_path_is_refused_with_its_name():
    result = run([sys.executable, "manage.py", "check"], {"SECRET_KEY": "x" * 50, "ADMIN_PATH": "a b"})
    assert result.returncode != 0
    assert "ADMIN_PATH='a b' is not a URL path" in result.stderr


def test_proxy_and_trusted_origins_come_from_the_environment():
    env = {
        "SECRET_KEY": "x" * 50,
        "TRUST_X_FORWARDED_PROTO": "1",
        "CSRF_TRUSTED_ORIGINS": "https://a.example.edu, https://b.example.edu",
    }
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", env) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert (
        settings_value("settings.CSRF_TRUSTED_ORIGINS", env)
        == "['https://a.example.edu', 'https://b.example.edu']"
    )


def test_the_proxy_header_is_not_trusted_unless_asked():
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", {"SECRET_KEY": "x" * 50}) == "None"


def test_redis_url_switches_the_cache_to_djangos_redis_backend():
    env = {"SECRET_KEY": "x" * 50, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert settings_value("settings.CACHES['default']['BACKEND']", env) == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert settings_value("settings.CACHES['default']['BACKEND']", {"SECRET_KEY": "x" * 50}) == (
        "ops.cache.DatabaseCache"
    )


def database_options(**env: str) -> str:
    postgres = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://descent@127.0.0.1:5432/descent"}
    options = "{k: settings.DATABASES['default']['OPTIONS'].get(k) for k in ('server_side_binding', 'prepare_threshold')}"
    return settings_value(options, {**postgres, **env})


def test_postgresql_binds_parameters_on_the_server_and_prepares_frequent_statements_by_default():
    assert database_options() == "{'server_side_binding': True, 'prepare_threshold': 5}"


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler():
    assert database_options(DATABASE_PREPARE_THRESHOLD="0") == (
        "{'server_side_binding': True, 'prepare_threshold': None}"
    )
    assert database_options(DATABASE_SERVER_SIDE_BINDING="0") == (
        "{'server_side_binding': False, 'prepare_threshold': None}"
    )


def test_sqlite_gets_neither_postgresql_option():
    assert (
        settings_value(
            "settings.DATABASES['default']['OPTIONS'].get('prepare_threshold', 'absent')",
            {
                "SECRET_KEY": "x" * 50,
                "DATABASE_URL": "sqlite:///unused.sqlite3",
            },
        )
        == "absent"
    )


def test_a_lock_timeout_is_passed_to_postgresql_only_when_asked_for():
    postgres = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://descent@127.0.0.1:5432/descent"}
    options = "settings.DATABASES['default']['OPTIONS'].get('options')"
    assert settings_value(options, postgres) == "None"
    assert settings_value(options, {**postgres, "DATABASE_LOCK_TIMEOUT": "5s"}) == "-c lock_timeout=5s"


def test_a_malformed_lock_timeout_is_refused_with_its_name():
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://descent@127.0.0.1:5432/descent"}
    result = run([sys.executable, "manage.py", "check"], {**env, "DATABASE_LOCK_TIMEOUT": "5 s; DROP"})
    assert result.returncode != 0
    assert "DATABASE_LOCK_TIMEOUT='5 s; DROP': give a duration such as 500ms, 5s or 1min" in result.stderr
