"""Helpers for tests that run the production stack as real processes on loopback: a fresh
PostgreSQL database per test, free ports, the production server, and nginx in front of it."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import skip_unless_ci

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ENV = "DESCENT_TEST_POSTGRES_URL"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        skip_unless_ci(f"{POSTGRES_ENV} is not set: this test needs a PostgreSQL server (.ci/run starts one)")
    return url


def pg_tool(name: str) -> str:
    """A PostgreSQL client program matching CI's server (15), or the one on PATH."""
    candidate = PG_BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        skip_unless_ci(f"{name} is missing: install Debian's postgresql-client")
    return found


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextlib.contextmanager
def fresh_database(prefix: str = "descent_ops") -> Iterator[str]:
    """An empty database on the test server, dropped afterwards; yields its URL."""
    import psycopg

    server = postgres_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def export_checkout(destination: Path) -> Path:
    """The committed tree at HEAD, written out as a separate checkout (no file shared with ROOT)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"], capture_output=True, timeout=60
    )
    if archive.returncode != 0:
        pytest.skip(f"not a git checkout: {archive.stderr.decode()[-200:]}")
    destination.mkdir()
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def serve_script():
    """scripts/serve_production.py, imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "serve_production", ROOT / "scripts" / "serve_production.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The production environment for a server under test (secure cookies decided by the caller)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "PYTEST_")) and k not in {"DATABASE_URL", "ADMIN_PATH"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        ACCESS_LOG="0",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(url: str, timeout: float, context: ssl.SSLContext | None = None, process=None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
            last = error
        except OSError as error:
            last = error
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s: {last}")


def stop(process: subprocess.Popen, grace: float = 40) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made now."""
    openssl = shutil.which("openssl")
    if not openssl:
        skip_unless_ci("openssl is missing: install Debian's openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def render_nginx_site(values: dict[str, str]) -> str:
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    leftover = [
        line for line in text.splitlines() if "${DESCENT_" in line and not line.lstrip().startswith("#")
    ]
    assert not leftover, f"unfilled template names: {leftover}"
    return text


def start_nginx(folder: Path, site: str) -> subprocess.Popen:
    """Debian's nginx in the foreground with everything (pid, logs, temp files) under `folder`."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx:
        skip_unless_ci("nginx is missing: install Debian's nginx (.ci/run does)")
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main)
    check = subprocess.run(
        [nginx, "-e", str(folder / "error.log"), "-t", "-c", str(folder / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    return subprocess.Popen(
        [nginx, "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
