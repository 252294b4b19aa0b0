"""Operations on a real PostgreSQL: two web processes share sessions and the cache; the documented
backup (`pg_dump -Fc`) and restore (`pg_restore`) bring the data back after the database is dropped.

Needs DESCENT_TEST_POSTGRES_URL (skipped locally without it, a failure in CI). Each test makes its
own database on that server, so it runs once, in the SQLite pass of `make test`.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.ops import stack

pytestmark = pytest.mark.slow

PASSWORD = "a-shared-pass-phrase"


@pytest.fixture(autouse=True)
def once_per_make_test():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("makes its own PostgreSQL database: runs once, in the SQLite pass of `make test`")


def create_user(env: dict[str, str], username: str) -> None:
    result = stack.manage(
        env,
        "shell",
        "-c",
        f"from accounts.services import user_create; user_create(username={username!r}, password={PASSWORD!r})",
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def two_web_processes(tmp_path_factory) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Two `make serve` web hosts (no grading workers, setup left to the first) on different ports."""
    folder = tmp_path_factory.mktemp("two-web")
    with stack.fresh_database("descent_web2") as database_url:
        env = stack.base_environment(database_url, SECURE_COOKIES="0", WEB_CONCURRENCY="1")
        migrated = stack.manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        create_user(env, "amy")
        servers, urls = [], []
        try:
            for number in (1, 2):
                port = stack.free_port()
                with open(folder / f"web{number}.log", "w") as log:
                    servers.append(
                        subprocess.Popen(
                            [
                                sys.executable, "scripts/serve_production.py", "--skip-setup",
                                "--grading-workers", "0", "--bind", f"127.0.0.1:{port}",
                            ],
                            cwd=stack.ROOT, env={**env, "STATIC_MANIFEST": "0"}, stdout=log, stderr=subprocess.STDOUT,
                        )
                    )  # fmt: skip
                urls.append(f"http://127.0.0.1:{port}")
            for server, url in zip(servers, urls, strict=True):
                stack.wait_for(f"{url}/accounts/login/", timeout=120, process=server)
            yield env, urls
        finally:
            for server in servers:
                stack.stop(server)


class Browser:
    """Cookies kept across requests and hosts' ports, redirects not followed: enough of a browser."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name and cookie.value)

    def request(self, url: str, data: dict[str, str] | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(
                urllib.request.Request(url, data=body, headers=headers or {}), timeout=60
            ) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed) and errors: the status is the answer
            return error.code, error.read().decode(errors="replace")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_session_made_by_one_web_process_is_honoured_by_the_other(two_web_processes):
    _, (first, second) = two_web_processes
    browser = Browser()
    browser.request(f"{first}/accounts/login/")
    status, body = browser.request(
        f"{first}/accounts/login/",
        {"username": "amy", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookie("csrftoken")},
        headers={"Referer": f"{first}/accounts/login/"},
    )
    assert status == 302, body[:500]
    # Same cookies, other process: the dashboard needs a logged-in user.
    status, dashboard = browser.request(f"{second}/progress/")
    assert status == 200, status
    assert "amy" in dashboard
    # Logging out on the second ends the session on the first as well.
    browser.request(f"{second}/accounts/logout/", {"csrfmiddlewaretoken": browser.cookie("csrftoken")})
    assert browser.request(f"{first}/progress/")[0] == 302


def cache_rows(database_url: str) -> list[tuple[str, object]]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT cache_key, expires FROM descent_cache ORDER BY cache_key"
        ).fetchall()


def playground_pages(rows: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The cached playground pages among the cache rows (throttle counters live there too)."""
    return [row for row in rows if ":optimlab:playground:" in row[0]]


def test_a_page_cached_by_one_web_process_is_served_from_the_cache_by_the_other(two_web_processes):
    env, (first, second) = two_web_processes
    query = urllib.parse.urlencode({"problem": "rosenbrock", "steps": "40", "opt1": "sgd"})
    before = cache_rows(env["DATABASE_URL"])
    assert Browser().request(f"{first}/lab/?{query}")[0] == 200
    stored = playground_pages(cache_rows(env["DATABASE_URL"]))
    assert len(stored) == len(playground_pages(before)) + 1
    assert Browser().request(f"{second}/lab/?{query}")[0] == 200
    # A miss in the second process would have computed the runs again and rewritten the entry.
    assert playground_pages(cache_rows(env["DATABASE_URL"])) == stored


def test_a_throttle_counter_counts_every_hit_from_concurrent_processes(two_web_processes):
    """Throttles count with cache.add/incr: two processes hammering one counter lose no count."""
    env, _ = two_web_processes
    bump = (
        "import time\n"
        "from django.core.cache import cache\n"
        "cache.add('throttle:login:amy', 0, 300)\n"
        "time.sleep(max(0, {start} - time.time()))\n"
        "for _ in range(40):\n"
        "    cache.incr('throttle:login:amy')\n"
    )
    start = time.time() + 8  # both processes are up (Django loaded) before either counts
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", bump.format(start=start)],
            cwd=stack.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    total = stack.manage(
        env, "shell", "-c", "from django.core.cache import cache; print(cache.get('throttle:login:amy'))"
    )
    assert total.stdout.split()[-1] == "80"


def test_backup_with_pg_dump_and_restore_with_pg_restore_after_a_drop(tmp_path):
    import psycopg

    dump = tmp_path / "descent.dump"
    server = stack.postgres_url()
    with stack.fresh_database("descent_backup") as database_url:
        env = stack.base_environment(database_url)
        migrated = stack.manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        create_user(env, "bea")

        # The commands of README's "Deploying" section, as written there.
        subprocess.run([stack.pg_tool("pg_dump"), "-Fc", "-d", database_url, "-f", str(dump)], check=True)
        name = database_url.rsplit("/", 1)[1]
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(database_url) as connection:
            assert connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone() == (0,)
        subprocess.run(
            [stack.pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", database_url, str(dump)],
            check=True,
        )

        check = stack.manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; u = get_user_model().objects.get(username='bea');"
            f"print(u.check_password({PASSWORD!r}), u.groups.get().name)",
        )
        assert check.returncode == 0, check.stderr
        assert check.stdout.split()[-2:] == ["True", "students"]
        plan = stack.manage(env, "migrate", "--check")
        assert plan.returncode == 0, plan.stdout + plan.stderr  # every migration is recorded as applied
