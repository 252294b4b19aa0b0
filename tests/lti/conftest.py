"""An LMS (the simulated platform) and Descent (a live server), both on loopback HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.core.cache import cache
from django.utils import timezone
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from courses.models import AssignmentKind
from courses.services.courses import assignment_create
from lti.keys import create_tool_key
from quizzes.models import Quiz
from tests.lti.platform import SimulatedPlatform


@pytest.fixture(autouse=True)
def plain_http_launches(settings):
    # The live test server speaks HTTP; the HTTPS rule has its own test.
    settings.LTI_REQUIRE_HTTPS = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def platform(live_server):
    simulated = SimulatedPlatform().start()
    simulated.tool_jwks_url = f"{live_server.url}/lti/jwks/"
    yield simulated
    simulated.stop()


@pytest.fixture
def registration(platform, transactional_db):
    key = create_tool_key("tool-key-2026")
    return LtiTool.objects.create(title="Simulated LMS", tool_key=key, **platform.registration())


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


@pytest.fixture
def tool_url(live_server):
    return live_server.url


@pytest.fixture
def connected_course(platform, registration, tool_url):
    """An instructor launched once from the LMS course, which created and connected the Descent course."""
    with requests.Session() as instructor_browser:
        response = platform.launch(
            instructor_browser,
            tool_url,
            subject="teacher-1",
            roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        )
    assert response.status_code == 302, response.text[:500]
    from lti.models import PlatformContext

    return PlatformContext.objects.get(context_id="course-101").course


@pytest.fixture
def quiz_assignment(connected_course):
    quiz = Quiz.objects.create(slug="week-3", title="Week 3: momentum")
    now = timezone.now()
    return assignment_create(
        course=connected_course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )


@pytest.fixture
def make_user(transactional_db):
    from accounts.services import user_create

    def make(username: str, *, instructor: bool = False):
        return user_create(username=username, password="pass-word-123", instructor=instructor)

    return make
