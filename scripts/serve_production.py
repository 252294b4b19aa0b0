"""Serve Descent in production: checks, database setup, gunicorn and supervised grading workers.

`make serve` runs this. In order:
1. Refuses to start, with a message saying what to set, unless SECRET_KEY and ALLOWED_HOSTS are set
   and DATABASE_URL points at PostgreSQL (SQLite only with DESCENT_ALLOW_SQLITE=1). DEBUG is off.
2. `migrate` (under a PostgreSQL advisory lock, so hosts started together migrate one at a time),
   `createcachetable` and `collectstatic` (compressed, content-hashed files for whitenoise).
3. Starts gunicorn (deploy/gunicorn.conf.py) and GRADING_WORKERS `manage.py grading_worker`
   processes, and restarts any of them that exits, after a backoff that grows while it keeps dying.
4. On SIGTERM or SIGINT, passes SIGTERM on to every child, waits up to SERVE_GRACE_SECONDS for them
   to finish what they are doing, kills what is left and exits.

Options select what one host runs: `--no-web` for a grading host, `--grading-workers 0` for a web
host, `--skip-setup` to leave migrations and static files to another host, `--setup-only` for step 2
alone (an upgrade's first step, while the previous release still serves).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
# Any constant shared by every host: the key of the advisory lock held while migrating.
MIGRATION_LOCK_KEY = 0x44455343  # "DESC"

# What PostgreSQL says when a migration gave way to the running site: a lock wait past
# lock_timeout, or a deadlock with a request.
LOCK_TROUBLE = ("canceling statement due to lock timeout", "deadlock detected")

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
# A child that ran this long before dying counts as healthy: its next restart is immediate-ish.
HEALTHY_AFTER = 60.0


class ConfigurationError(Exception):
    pass


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def positive_int(name: str, raw: str | None, default: int, minimum: int = 0) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum}")
    return value


def production_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment the children run in, or ConfigurationError saying what is missing."""
    env = dict(environ)
    problems = []
    debug = env.get("DJANGO_DEBUG", "").strip().lower()
    if debug in {"1", "true", "yes", "on"}:
        problems.append("DJANGO_DEBUG is on: production never runs with DEBUG (unset it or set it to 0)")
    if not env.get("SECRET_KEY", "").strip():
        problems.append(
            "SECRET_KEY is not set: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and keep it secret"
        )
    if not env.get("ALLOWED_HOSTS", "").strip():
        problems.append("ALLOWED_HOSTS is not set: the host name(s) the site is served as, comma-separated")
    url = env.get("DATABASE_URL", "").strip()
    allow_sqlite = env.get("DESCENT_ALLOW_SQLITE", "").strip().lower() in {"1", "true", "yes", "on"}
    if not url:
        if not allow_sqlite:
            problems.append(
                "DATABASE_URL is not set: production uses PostgreSQL, e.g. "
                "DATABASE_URL=postgres://descent:PASSWORD@db-host:5432/descent "
                "(DESCENT_ALLOW_SQLITE=1 serves from the SQLite file anyway, for a single small host)"
            )
    elif urlsplit(url).scheme not in POSTGRES_SCHEMES and not allow_sqlite:
        problems.append(
            f"DATABASE_URL uses {urlsplit(url).scheme!r}: production uses PostgreSQL (SQLite locks up under "
            "a class of concurrent students); DESCENT_ALLOW_SQLITE=1 overrides this"
        )
    if problems:
        raise ConfigurationError("cannot serve in production:\n  - " + "\n  - ".join(problems))
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("STATIC_MANIFEST", "1")
    env.setdefault("ACCESS_LOG", "1")
    env.setdefault("LOG_FORMAT", "json")
    env.setdefault("PYTHONUNBUFFERED", "1")
    # Each gunicorn thread and worker keeps its database connection (checked before reuse): opening
    # one per request costs more CPU than most pages, on both sides.
    env.setdefault("DATABASE_CONN_MAX_AGE", "300")
    return env


def log(message: str) -> None:
    """The supervisor's own lines: JSON like the rest of the logs unless LOG_FORMAT=text."""
    if os.environ.get("LOG_FORMAT", "json") == "json":
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        line = {"time": stamp, "level": "INFO", "logger": "serve", "message": message, "process": os.getpid()}
        print(json.dumps(line), file=sys.stderr, flush=True)
    else:
        print(f"serve: {message}", file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the supervisor dies, so no worker is ever orphaned (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float = 0.0
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, preexec_fn=_die_with_parent, start_new_session=True
        )
        self.started_at = time.monotonic()
        log(f"started {self.name} (pid {self.process.pid})")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def schedule_restart(self, now: float) -> float:
        """Record an exit; returns the delay before the restart."""
        ran_for = now - self.started_at
        self.failures = 1 if ran_for >= HEALTHY_AFTER else self.failures + 1
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (self.failures - 1))
        self.restart_at = now + delay
        self.restarts += 1
        return delay


class Supervisor:
    def __init__(self, children: list[Child], grace: float):
        self.children = children
        self.grace = grace
        self.stopping = False

    def request_stop(self, signum, frame) -> None:
        if not self.stopping:
            log(f"received {signal.Signals(signum).name}: stopping (grace {self.grace:g} s)")
        self.stopping = True

    def run(self, poll: float = 0.5) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.forward_hup)
        for child in self.children:
            child.start()
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                if child.process is None:
                    if now >= child.restart_at:
                        child.start()
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                delay = child.schedule_restart(now)
                log(f"{child.name} (pid {child.process.pid}) exited with {code}; restarting in {delay:g} s")
                child.process = None
            time.sleep(poll)
        return self.stop_all()

    def forward_hup(self, signum, frame) -> None:
        # gunicorn replaces its workers on SIGHUP (same sockets, configuration read again). They keep
        # the code the master imported (preload_app): new code needs a restart (README, "Upgrading").
        for child in self.children:
            if child.name == "web" and child.running():
                child.process.send_signal(signal.SIGHUP)

    def stop_all(self) -> int:
        for child in self.children:
            if child.running():
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{child.name} (pid {child.process.pid}) still running after the grace period: killed")
                child.process.kill()
                child.process.wait()
        log("stopped")
        return 0


@contextlib.contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Held while this host migrates; another host that asks for it waits until this one is done.

    A transaction-level advisory lock on a connection of its own: the open transaction keeps one
    server connection even behind PgBouncer in transaction mode, and ending it (or losing the
    connection) releases the lock. A session-level lock there would stay on whichever pooled server
    connection took it, and could block the next host for good.
    """
    import psycopg

    holder = psycopg.connect(url)
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        yield
    finally:
        holder.close()  # the transaction wrote nothing: closing rolls it back and frees the lock


def migrate_beside_the_running_site(env: dict[str, str], manage: list[str]) -> None:
    """`migrate` while the previous release may still serve (README, "Upgrading without downtime").

    Each statement waits at most MIGRATION_LOCK_TIMEOUT (default 5s) for a table the site is using,
    because while it waits every request that needs the table queues behind it; past that it gives
    up, the migration rolls back whole, and `migrate` is tried again after a pause, up to
    MIGRATION_ATTEMPTS times (default 5). A deadlock with a request is retried the same way.
    """
    timeout = env.get("MIGRATION_LOCK_TIMEOUT", "5s").strip()
    attempts = positive_int("MIGRATION_ATTEMPTS", env.get("MIGRATION_ATTEMPTS"), 5, minimum=1)
    migrate_env = {**env, "DATABASE_LOCK_TIMEOUT": timeout} if timeout not in {"", "0"} else env
    for attempt in range(1, attempts + 1):
        log("manage.py migrate --noinput" + (f" (attempt {attempt} of {attempts})" if attempt > 1 else ""))
        result = subprocess.run(
            manage + ["migrate", "--noinput"], cwd=ROOT, env=migrate_env, stderr=subprocess.PIPE, text=True
        )
        sys.stderr.write(result.stderr)
        if result.returncode == 0:
            return
        if attempt < attempts and any(sign in result.stderr for sign in LOCK_TROUBLE):
            pause = min(2**attempt, 30)
            log(f"migrate gave way to the running site (a table was busy); trying again in {pause} s")
            time.sleep(pause)
            continue
        raise subprocess.CalledProcessError(result.returncode, result.args, stderr=result.stderr)


def run_setup(env: dict[str, str], manage: list[str]) -> None:
    """Migrate (one host at a time), create the cache table, collect static files."""

    def step(*args: str) -> None:
        log("manage.py " + " ".join(args))
        subprocess.run(manage + list(args), cwd=ROOT, env=env, check=True)

    url = env.get("DATABASE_URL", "")
    if urlsplit(url).scheme in POSTGRES_SCHEMES:
        with migration_lock(url):
            migrate_beside_the_running_site(env, manage)
    else:
        step("migrate", "--noinput")
    step("createcachetable")
    step("collectstatic", "--noinput", "--verbosity", "0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bind", default=None, help="address for gunicorn (default: $BIND or 127.0.0.1:8000)"
    )
    parser.add_argument(
        "--grading-workers",
        default=None,
        help="grading worker processes on this host (default: $GRADING_WORKERS or the CPU count)",
    )
    parser.add_argument("--no-web", action="store_true", help="run only grading workers on this host")
    parser.add_argument(
        "--skip-setup", action="store_true", help="no migrate / createcachetable / collectstatic"
    )
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="migrate, create the cache table, collect static files, then exit (an upgrade's first step)",
    )
    parser.add_argument(
        "--grace", default=None, help="seconds children get to stop (default: $SERVE_GRACE_SECONDS or 30)"
    )
    args = parser.parse_args(argv)
    try:
        env = production_environment(dict(os.environ))
        grading_workers = positive_int(
            "GRADING_WORKERS", args.grading_workers or env.get("GRADING_WORKERS"), cpu_count()
        )
        grace = float(positive_int("SERVE_GRACE_SECONDS", args.grace or env.get("SERVE_GRACE_SECONDS"), 30))
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    if args.bind:
        env["BIND"] = args.bind
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not args.skip_setup:
        try:
            run_setup(env, manage)
        except subprocess.CalledProcessError as error:
            log(f"setup step failed ({error.returncode}): {' '.join(error.cmd[2:])}")
            return 1
        except ConfigurationError as error:
            print(error, file=sys.stderr)
            return 2
    if args.setup_only:
        log("setup done")
        return 0
    children = []
    if not args.no_web:
        children.append(
            Child(
                "web",
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "config.wsgi:application"],
                env,
            )
        )
    for number in range(1, grading_workers + 1):
        children.append(Child(f"grading-worker-{number}", manage + ["grading_worker"], env))
    if not children:
        log("nothing to run (--no-web and no grading workers)")
        return 2
    log(
        f"web: {'off' if args.no_web else env.get('BIND', '127.0.0.1:8000')}; grading workers: {grading_workers}"
    )
    return Supervisor(children, grace).run()


if __name__ == "__main__":
    sys.exit(main())
