"""Descent inside an LMS's frame, in a real browser, over HTTPS on both sides.

The simulated LMS (tests/lti/platform.py) serves a course page at https://localhost:<port> that shows
Descent in an iframe; Descent is the live test server behind nginx with a certificate made for the
test, at https://127.0.0.1:<port>, so the frame is cross-site, as in a real LMS. The frame goes
through the whole OIDC login and launch, the student starts the quiz, answers and finishes inside
the frame, and the grade arrives at the LMS's line item, sent by the grading worker's loop. It needs the Secure, SameSite=None cookies
and the frame-ancestors policy the launch gives the session: without either, the frame breaks.

Needs nginx and openssl besides chromium: skipped with the reason locally when one is missing, a
failure in CI (.ci/run installs them).
"""

from __future__ import annotations

import re
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from courses.models import AssignmentKind
from courses.services.courses import assignment_create
from lti.keys import create_tool_key
from lti.models import PlatformContext, ScoreSync, SyncStatus
from lti.passback import runner
from quizzes.models import Attempt, Bank, Item, Quiz, QuizRule
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.lti.platform import INSTRUCTOR, LEARNER, SimulatedPlatform
from tests.ops import stack

pytestmark = pytest.mark.e2e

GRADE_TIMEOUT_SECONDS = 30


@dataclass
class Https:
    url: str
    cert: Path
    key: Path


def proxy_site(*, listen_port: int, upstream: str, cert: Path, key: Path) -> str:
    """The TLS-terminating part of deploy/nginx.conf: HTTPS in, the scheme passed on in
    X-Forwarded-Proto (static files come from the test server too, so no static root is needed)."""
    return f"""
server {{
    listen 127.0.0.1:{listen_port} ssl;
    server_name 127.0.0.1;
    ssl_certificate     {cert};
    ssl_certificate_key {key};
    location / {{
        proxy_pass http://{upstream};
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }}
}}
"""


@pytest.fixture
def descent(live_server, settings, tmp_path) -> Https:
    """Descent at https://127.0.0.1:<port>, with the production rules for HTTPS and cookies."""
    cert, key = stack.make_certificate(tmp_path)
    port = stack.free_port()
    upstream = live_server.url.removeprefix("http://")
    nginx = stack.start_nginx(tmp_path, proxy_site(listen_port=port, upstream=upstream, cert=cert, key=key))
    url = f"https://127.0.0.1:{port}"
    try:
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.LTI_REQUIRE_HTTPS = True
        settings.SESSION_COOKIE_SECURE = True
        settings.CSRF_COOKIE_SECURE = True
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
        trusting = ssl.create_default_context(cafile=str(cert))
        stack.wait_for(f"{url}/healthz", timeout=30, context=trusting, process=nginx)
        yield Https(url, cert, key)
    finally:
        stack.stop(nginx, grace=10)


@pytest.fixture
def lms(descent, monkeypatch, transactional_db):
    """The simulated LMS at https://localhost:<port>, registered with Descent."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(descent.cert, descent.key)
    platform = SimulatedPlatform(tls=tls, public_host="localhost", ca_file=str(descent.cert)).start()
    platform.tool_jwks_url = f"{descent.url}/lti/jwks/"
    # Descent's calls to the LMS (key set, token, scores) trust the test's certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(descent.cert))
    LtiTool.objects.create(
        title="Simulated LMS", tool_key=create_tool_key("tool-key-e2e"), **platform.registration()
    )
    yield platform
    platform.stop()


@pytest.fixture
def quiz_activity(lms, descent):
    """The instructor connected the LMS course (one launch), and a two-question quiz is assigned."""
    with requests.Session() as instructor:
        instructor.verify = str(descent.cert)
        launched = lms.launch(instructor, descent.url, subject="teacher-1", roles=[INSTRUCTOR])
    assert launched.status_code == 302, launched.text[:500]
    course = PlatformContext.objects.get(context_id="course-101").course
    bank = Bank.objects.create(slug="frame-bank", name="Facts", owner=course.owner)
    for position, answer in enumerate((True, False)):
        Item.objects.create(
            bank=bank,
            key=f"fact-{position}",
            kind="truefalse",
            stem=f"Fact number {position}?",
            position=position,
            spec={"answer": answer},
        )
    quiz = Quiz.objects.create(slug="week-3", title="Week 3: momentum", owner=course.owner, published=True)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=2)
    now = timezone.now()
    return assignment_create(
        course=course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )


def wait_for_grade(lms: SimulatedPlatform) -> list[dict]:
    deadline = time.monotonic() + GRADE_TIMEOUT_SECONDS
    while not lms.scores and time.monotonic() < deadline:
        time.sleep(0.2)
    return list(lms.scores)


def test_a_student_takes_a_quiz_inside_the_lms_frame_and_the_grade_reaches_the_lms(
    browser, descent, lms, quiz_activity, grading_worker
):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        course_page = lms.activity_page(
            descent.url,
            subject="student-42",
            roles=[LEARNER],
            custom={"descent_assignment": str(quiz_activity.pk)},
        )
        page.goto(course_page)
        tool = page.frame_locator("#tool")
        # OIDC login -> the LMS's authentication step -> launch -> the quiz, all inside the frame.
        start = tool.locator("form[action$='/quiz/week-3/start/'] button[type=submit]")
        start.click()
        tool.locator(".quiz-item").first.wait_for()
        frame = page.frame(url=re.compile(r"/quizzes/attempts/\d+/$"))
        assert frame is not None and frame.parent_frame == page.main_frame
        assert page.url == course_page  # the LMS page stayed where it was

        attempt = Attempt.objects.get(student__lti_accounts__subject="student-42")
        for attempt_item in attempt.attempt_items.select_related("item").order_by("position"):
            right = "true" if attempt_item.item_data()["answer"] else "false"
            panel = frame.locator(f"#item-{attempt_item.position}")
            panel.locator(f"input[name=answer][value='{right}']").check()
            with frame.expect_navigation():
                panel.locator("button.submit-answer").click()
        with frame.expect_navigation():
            frame.click("form.finish-form button[type=submit]")
        assert re.search(rf"/quizzes/attempts/{attempt.pk}/review/$", frame.url), frame.url

        # The session lives in the frame on cookies a cross-site frame may keep.
        cookies = {cookie["name"]: cookie for cookie in context.cookies(descent.url)}
        for name in ("sessionid", "csrftoken"):
            assert cookies[name]["sameSite"] == "None" and cookies[name]["secure"], cookies[name]
    finally:
        context.close()

    # Finish only queued the grade; the grading worker's loop sends it, off the request path.
    assert lms.scores == [] and ScoreSync.objects.get().status == SyncStatus.PENDING
    grading_worker()
    runner.wait(timeout=GRADE_TIMEOUT_SECONDS)
    [grade] = wait_for_grade(lms)
    assert grade["userId"] == "student-42"
    assert (grade["scoreGiven"], grade["scoreMaximum"]) == (1.0, 1.0)
    assert (grade["activityProgress"], grade["gradingProgress"]) == ("Completed", "FullyGraded")
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_an_instructor_adds_an_activity_from_inside_the_lms_frame(browser, descent, lms, quiz_activity):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(lms.activity_page(descent.url, subject="teacher-1", roles=[INSTRUCTOR], deep_linking=True))
        tool = page.frame_locator("#tool")
        # The picker opens in the frame; the choice goes back to the LMS by a form the page posts itself.
        tool.locator(f"input[name=assignment][value='{quiz_activity.pk}']").check()
        tool.get_by_role("button", name="Add to the LMS course").click()
        deadline = time.monotonic() + GRADE_TIMEOUT_SECONDS
        while not lms.deep_link_responses and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        context.close()
    [message] = lms.deep_link_responses
    [item] = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["title"] == "Week 3: momentum"
    assert item["custom"] == {"descent_assignment": str(quiz_activity.pk)}
    assert violations == []
