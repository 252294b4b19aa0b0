"""Two web services behind nginx restart one after the other while a class takes a quiz, and no
request fails (README, "Upgrading without downtime": the restart).

Both run `scripts/serve_production.py` on PostgreSQL on their own ports; nginx (deploy/nginx.conf,
both listed in its upstream, TLS with a certificate made here) passes each request to one of them.
While the students log in, start, answer, finish and read the review, the first service is stopped
(SIGTERM: gunicorn finishes what it is serving) and started again, then the second.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks import load
from tests.ops import stack

pytestmark = [pytest.mark.slow, pytest.mark.own_postgres]

STUDENTS = 60
# Seconds per page on average: the class outlasts both restarts (about 15 s here) with room to spare.
THINK = 3.0


def start_web(env: dict[str, str], port: int, log: Path, *extra: str) -> subprocess.Popen:
    with open(log, "a") as output:
        return subprocess.Popen(
            [*load.web_only_command(port), *extra],
            cwd=stack.ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def with_upstreams(site: str, ports: list[int], down: int | None = None) -> str:
    """The rendered site with one `server` line per web service; the one at index `down` marked down."""
    line = f"server 127.0.0.1:{ports[0]} max_fails=3 fail_timeout=10s;"
    assert line in site
    servers = [
        f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s{' down' if number == down else ''};"
        for number, port in enumerate(ports)
    ]
    return site.replace(line, "\n    ".join(servers))


def reload_nginx(nginx: subprocess.Popen, folder: Path, site: str) -> None:
    """Write the site and reload: new workers take the new upstreams, old ones finish their requests."""
    (folder / "site.conf").write_text(site)
    nginx.send_signal(signal.SIGHUP)
    time.sleep(2)  # the old workers finish what they were passing on and close their connections


def test_restarting_two_web_services_one_after_the_other_fails_no_request(tmp_path):
    cert, key = stack.make_certificate(tmp_path)
    ports = [stack.free_port(), stack.free_port()]
    https_port, http_port = stack.free_port(), stack.free_port()
    https_url = f"https://localhost:{https_port}"
    load.CLIENT_TLS.load_verify_locations(cafile=str(cert))  # the simulated students trust this certificate
    with stack.fresh_database("descent_rolling") as database_url:
        env = stack.base_environment(
            database_url,
            STATIC_ROOT=str(tmp_path / "static"),
            TRUST_X_FORWARDED_PROTO="1",
            CSRF_TRUSTED_ORIGINS=https_url,
            WEB_CONCURRENCY="2",
            SERVE_GRACE_SECONDS="20",
        )
        logs = [tmp_path / "web-1.log", tmp_path / "web-2.log"]
        webs = [start_web(env, ports[0], logs[0])]
        nginx = None
        try:
            stack.wait_for(f"http://127.0.0.1:{ports[0]}/healthz", timeout=180, process=webs[0])
            webs.append(start_web(env, ports[1], logs[1], "--skip-setup"))
            stack.wait_for(f"http://127.0.0.1:{ports[1]}/healthz", timeout=120, process=webs[1])
            assert stack.manage(env, "load_demo").returncode == 0
            load.create_students(env, STUDENTS)
            site = stack.render_nginx_site(
                {
                    "DESCENT_SERVER_NAME": "localhost",
                    "DESCENT_UPSTREAM": f"127.0.0.1:{ports[0]}",
                    "DESCENT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
                    "DESCENT_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                    "DESCENT_TLS_CERT": str(cert),
                    "DESCENT_TLS_KEY": str(key),
                    "DESCENT_STATIC_ROOT": str(tmp_path / "static"),
                }
            )
            nginx = stack.start_nginx(tmp_path, with_upstreams(site, ports))
            trusting = ssl.create_default_context(cafile=str(cert))
            stack.wait_for(f"{https_url}/accounts/login/", timeout=30, context=trusting, process=nginx)

            restarts: list[tuple[float, float]] = []

            def restart_one_after_the_other() -> None:
                time.sleep(3)  # the class is logging in and starting
                for number in (0, 1):
                    began = time.monotonic()
                    reload_nginx(nginx, tmp_path, with_upstreams(site, ports, down=number))
                    stack.stop(webs[number], grace=30)
                    assert webs[number].returncode == 0, logs[number].read_text()[-2000:]
                    webs[number] = start_web(env, ports[number], logs[number], "--skip-setup")
                    stack.wait_for(
                        f"http://127.0.0.1:{ports[number]}/healthz", timeout=120, process=webs[number]
                    )
                    restarts.append((began, time.monotonic()))
                reload_nginx(nginx, tmp_path, with_upstreams(site, ports))

            async def class_during_restarts():
                results = load.Results(resend_like_a_browser=True)
                students = asyncio.gather(
                    *(
                        load.student(n, https_url, load.PASSWORD, load.QUIZ, results, THINK)
                        for n in range(1, STUDENTS + 1)
                    )
                )
                started = time.monotonic()
                await asyncio.gather(students, asyncio.to_thread(restart_one_after_the_other))
                return results, started, time.monotonic()

            results, class_began, class_ended = asyncio.run(class_during_restarts())
        finally:
            if nginx is not None:
                stack.stop(nginx, grace=10)
            for web in webs:
                stack.stop(web)

        assert len(restarts) == 2 and class_began < restarts[0][0] and restarts[1][1] < class_ended
        assert not results.errors, dict(results.errors)
        assert results.finished == STUDENTS
        # Requests a browser would have sent again: nginx's reloads close idle client connections.
        print(f"requests sent again, as a browser would: {dict(results.resent)}")
        assert sum(results.resent.values()) <= STUDENTS, dict(results.resent)
        stored = int(
            load.manage(env, "shell", "-c", load.COUNT_STORED.format(prefix=load.USER_PREFIX)).split()[-1]
        )
        assert stored == results.answers_posted > 0
