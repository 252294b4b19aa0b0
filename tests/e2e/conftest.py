"""Fixtures for the end-to-end tests: a real headless Chromium against pytest-django's live server.

Every test here carries the `e2e` marker. They need Debian's chromium package; without it they are
skipped with a message saying what to install (CI's `.ci/run` installs it).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import skip_unless_ci

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold server thread and the plots; short enough that a broken page fails quickly.
DEFAULT_TIMEOUT_MS = 15_000
# How long a page may wait for the grading worker's verdict.
GRADING_TIMEOUT_MS = 30_000

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
DEMO_STUDENT = ("student", "descent-student")
DEMO_INSTRUCTOR = ("instructor", "descent-instructor")


@pytest.fixture(autouse=True)
def e2e_settings(settings):
    # Full-strength hashing of the demo passwords would dominate the run time of these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The live server speaks plain HTTP; secure-only cookies (the default with DEBUG off) would
    # make logging in depend on how the browser treats localhost.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        skip_unless_ci(f"{CHROMIUM} is missing: install Debian's browser with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in the test thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this is deliberate. The flag lives exactly as long
    # as that loop (this package's tests), so the rest of the suite keeps Django's guard.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, with confirm() dialogs accepted."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def demo_content(transactional_db):
    """The demo users, banks and quizzes, loaded exactly as `make run` loads them."""
    call_command("load_demo", stdout=io.StringIO())


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"login as {username} failed: {page.inner_text('body')[:500]}"


def save_screenshot(page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def grading_worker():
    """Runs the real worker loop over whatever is queued, then returns."""
    from grading import tasks
    from grading.sandbox.client import SandboxUnavailable
    from grading.worker import GradingWorker

    try:
        tasks.get_sandbox()
    except SandboxUnavailable as error:
        skip_unless_ci(f"this machine cannot run the grading sandbox: {error}")

    def drain() -> None:
        GradingWorker(interval=0.05, batch=True, worker_id="e2e-worker").run()

    yield drain
    tasks.close_sandbox()
