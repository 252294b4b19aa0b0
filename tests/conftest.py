import os

import pytest

from accounts.services import user_create


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The site's cache lives in the database (or Redis) so that every process shares it; most tests
# touch the cache without a database, so they get a per-process memory cache. The tests of the
# shared cache (tests/ops) put the configured backend back.
TEST_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture(autouse=True)
def memory_cache(settings):
    settings.CACHES = TEST_CACHES


@pytest.fixture(autouse=True)
def throttles_off(settings):
    """Tests log in and post many times; the throttles' own tests turn them on with `throttles_on`."""
    settings.AXES_ENABLED = False
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def throttles_on(settings, throttles_off):
    """The log-in lockout and the rate limits as in production, with counts starting from zero."""
    from django.core.cache import cache

    settings.AXES_ENABLED = True
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def student(db):
    return user_create(username="sam", password="student-pass-123")


@pytest.fixture
def second_student(db):
    return user_create(username="sue", password="student-pass-123")


@pytest.fixture
def instructor(db):
    return user_create(username="iris", password="instructor-pass-123", instructor=True)


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def skip_unless_ci(reason: str) -> None:
    """Skip a test this machine cannot run, but never in CI, where a skip would hide a regression."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI must be able to run this test: {reason}")
    pytest.skip(reason)
