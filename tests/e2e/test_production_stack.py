"""The production stack end to end: `scripts/serve_production.py` (gunicorn and a grading worker) on
PostgreSQL, behind Debian's nginx with deploy/nginx.conf and a certificate made for this test. A real
browser logs in, answers a quiz item and submits code, all through https, with the site's
Content-Security-Policy enforced (KaTeX, CodeMirror and the plots must keep working under it).

Needs DESCENT_TEST_POSTGRES_URL, nginx and openssl: skipped with the reason locally when one is
missing, a failure in CI (.ci/run provides all three).
"""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_unless_ci
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, DEMO_STUDENT
from tests.e2e.test_code_exercise import ADAM_CORRECT, set_editor_text
from tests.ops import stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GRADING_TIMEOUT_MS = 60_000


class Stack:
    def __init__(
        self, https_url: str, http_port: int, database_url: str, log: Path, sandbox_error: str | None
    ):
        self.https_url = https_url
        self.http_port = http_port
        self.database_url = database_url
        self.log = log
        self.sandbox_error = sandbox_error

    def query(self, sql: str, *params):
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql, params).fetchall()


def sandbox_problem() -> str | None:
    """Why this host cannot run the grading sandbox, or None when it can."""
    probe = (
        "import django; django.setup()\n"
        "from grading import tasks\n"
        "from grading.sandbox.client import SandboxUnavailable\n"
        "try:\n    tasks.get_sandbox()\nexcept SandboxUnavailable as e:\n    print(e)\n"
        "finally:\n    tasks.close_sandbox()\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "probe", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=stack.ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    return result.stdout.strip() or (result.stderr.strip()[-500:] if result.returncode else None)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("production")
    cert, key = stack.make_certificate(folder)
    web_port, https_port, http_port = stack.free_port(), stack.free_port(), stack.free_port()
    https_url = f"https://localhost:{https_port}"
    with stack.fresh_database("descent_e2e") as database_url:
        env = stack.base_environment(
            database_url,
            STATIC_ROOT=str(folder / "static"),
            TRUST_X_FORWARDED_PROTO="1",
            SECURE_SSL_REDIRECT="1",
            CSRF_TRUSTED_ORIGINS=https_url,
            WEB_CONCURRENCY="2",
            GRADING_WORKERS="1",
            SERVE_GRACE_SECONDS="20",
        )
        log_path = folder / "serve.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [sys.executable, "scripts/serve_production.py", "--bind", f"127.0.0.1:{web_port}"],
                cwd=stack.ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        nginx = None
        try:
            stack.wait_for(f"http://127.0.0.1:{web_port}/healthz", timeout=180, process=server)
            demo = stack.manage(env, "load_demo")
            assert demo.returncode == 0, demo.stderr
            site = stack.render_nginx_site(
                {
                    "DESCENT_SERVER_NAME": "localhost",
                    "DESCENT_UPSTREAM": f"127.0.0.1:{web_port}",
                    "DESCENT_HTTP_LISTEN": f"127.0.0.1:{http_port}",
                    "DESCENT_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
                    "DESCENT_TLS_CERT": str(cert),
                    "DESCENT_TLS_KEY": str(key),
                    "DESCENT_STATIC_ROOT": str(folder / "static"),
                }
            )
            nginx = stack.start_nginx(folder, site)
            trusting = ssl.create_default_context(cafile=str(cert))
            stack.wait_for(f"{https_url}/accounts/login/", timeout=30, context=trusting, process=nginx)
            yield Stack(https_url, http_port, database_url, log_path, sandbox_problem())
        finally:
            if nginx is not None:
                stack.stop(nginx, grace=10)
            stack.stop(server)


@pytest.fixture
def secure_page(browser, production):
    context = browser.new_context(
        base_url=production.https_url, ignore_https_errors=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = violations
    yield page
    context.close()


def log_in_over_https(page) -> None:
    page.goto("/accounts/login/")
    assert page.url.startswith("https://")
    page.fill("input[name=username]", DEMO_STUDENT[0])
    page.fill("input[name=password]", DEMO_STUDENT[1])
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, page.inner_text("body")[:500]


def test_plain_http_is_redirected_to_https_and_https_carries_the_security_headers(production):
    import http.client

    plain = http.client.HTTPConnection("127.0.0.1", production.http_port, timeout=10)
    plain.request("GET", "/quizzes/", headers={"Host": "localhost"})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == "https://localhost/quizzes/"

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    port = int(production.https_url.rsplit(":", 1)[1])
    secure = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    secure.request("GET", "/accounts/login/", headers={"Host": "localhost", "X-Request-ID": "lb-4f2a9c1e77"})
    response = secure.getresponse()
    assert response.status == 200
    assert response.getheader("X-Request-ID") == "lb-4f2a9c1e77"
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    assert "camera=()" in response.getheader("Permissions-Policy")
    assert response.getheader("Server") == "nginx"  # server_tokens off: no version


def test_a_student_logs_in_and_answers_a_quiz_item_through_https(secure_page, production):
    page = secure_page
    log_in_over_https(page)
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session_cookie["secure"] and session_cookie["httpOnly"]

    page.goto("/quizzes/quiz/checkpoint-mixed/")
    with page.expect_navigation():
        page.click("form[action$='/quiz/checkpoint-mixed/start/'] button[type=submit]")
    assert re.search(r"/quizzes/attempts/\d+/$", page.url), page.url
    # KaTeX typesets the stems under the policy (scripts from this site only).
    page.locator(".stem .katex").first.wait_for(state="visible")

    # The checkpoint quiz always draws calculation items: a number typed into a text field.
    panel = page.locator("form:has(input[name=answer]:not([type=radio]):not([type=checkbox]))").first
    panel.locator("input[name=answer]").fill("0.5")
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()
    page.locator(".saved").first.wait_for(state="visible")
    stored = production.query(
        "SELECT count(*) FROM quizzes_attemptitem ai JOIN quizzes_attempt a ON a.id = ai.attempt_id"
        " JOIN auth_user u ON u.id = a.student_id WHERE u.username = %s AND ai.response IS NOT NULL",
        DEMO_STUDENT[0],
    )
    assert stored[0][0] >= 1
    # Static files came from nginx with their content-hashed names.
    css = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.search(r"\.[0-9a-f]{12}\.css$", css), css
    assert page.csp_violations == []


def test_a_student_submits_code_through_https_and_a_worker_grades_it(secure_page, production):
    if production.sandbox_error:
        skip_unless_ci(f"this machine cannot run the grading sandbox: {production.sandbox_error}")
    page = secure_page
    log_in_over_https(page)
    page.goto("/grading/adam/")
    page.locator(".cm-editor .cm-content").wait_for(state="visible")  # CodeMirror runs under the policy
    set_editor_text(page, ADAM_CORRECT)
    with page.expect_navigation():
        page.click("form.submit-form button[type=submit]")
    assert re.search(r"/grading/submissions/\d+/$", page.url), page.url
    page.locator("#result .result .verdict").wait_for(state="visible", timeout=GRADING_TIMEOUT_MS)
    verdict = page.locator("#result .verdict")
    assert "verdict-passed" in verdict.get_attribute("class"), page.locator("#result").inner_text()[:1000]
    # The plots are inline SVG drawn on the server; they must render under the policy.
    assert page.locator("#result .plots svg").first.bounding_box()["width"] > 100
    assert page.csp_violations == []
