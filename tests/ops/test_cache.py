"""The site's database cache: increments keep the entry's expiry and refuse a missing key."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

import config.settings as project_settings


@pytest.fixture
def site_cache(db, settings):
    settings.CACHES = project_settings.CACHES  # the configured backend, not the tests' memory cache
    cache = caches["default"]
    cache.clear()
    return cache


def expiry_of(cache, key):
    stored = cache.make_and_validate_key(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM descent_cache WHERE cache_key = %s", [stored])
        return cache._as_datetime(cursor.fetchone()[0], connection)


def test_incr_counts_and_keeps_the_expiry_the_counter_was_added_with(site_cache):
    assert site_cache.add("throttle:post:sam", 0, 30)
    before = expiry_of(site_cache, "throttle:post:sam")
    assert site_cache.incr("throttle:post:sam") == 1
    assert site_cache.incr("throttle:post:sam", 5) == 6
    assert site_cache.get("throttle:post:sam") == 6
    after = expiry_of(site_cache, "throttle:post:sam")
    assert abs((after - before).total_seconds()) <= 1  # not pushed out to the default 300 s


def test_incr_of_a_missing_key_raises_value_error_as_djangos_caches_do(site_cache):
    with pytest.raises(ValueError):
        site_cache.incr("never-added")


def test_a_counter_without_timeout_stays_without_one(site_cache):
    site_cache.set("forever", 1, None)
    assert site_cache.incr("forever") == 2
    assert expiry_of(site_cache, "forever").year == 9999


def test_add_leaves_a_live_entry_alone_and_replaces_an_expired_one(site_cache):
    assert site_cache.add("counter", 3, 30)
    assert not site_cache.add("counter", 0, 30)
    assert site_cache.get("counter") == 3
    stored = site_cache.make_and_validate_key("counter")
    with connection.cursor() as cursor:  # the window ran out a minute ago
        cursor.execute(
            "UPDATE descent_cache SET expires = %s WHERE cache_key = %s",
            [connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(minutes=1)), stored],
        )
    assert site_cache.add("counter", 0, 30)
    assert site_cache.get("counter") == 0


def test_incr_of_an_expired_counter_raises_value_error_like_a_missing_one(site_cache):
    assert site_cache.add("old", 4, 30)
    stored = site_cache.make_and_validate_key("old")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE descent_cache SET expires = %s WHERE cache_key = %s",
            [connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(seconds=5)), stored],
        )
    with pytest.raises(ValueError):
        site_cache.incr("old")


def test_counting_a_request_takes_a_handful_of_queries(site_cache, django_assert_max_num_queries):
    site_cache.add("rl:sam", 1, 60)
    with django_assert_max_num_queries(5):  # add that finds the counter, then the locked increment
        assert not site_cache.add("rl:sam", 1, 60)
        assert site_cache.incr("rl:sam") == 2
