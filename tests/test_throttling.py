"""The shared throttling helpers (config/throttling.py): addresses, waits and the 429 answers."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

import throttling
from throttling import Throttled, check, client_ip, describe_wait, throttle, too_many_requests


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 second"),
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (900, "15 minutes"),
        (7140, "119 minutes"),
        (7199, "2 hours"),
        (7200, "2 hours"),
        (86400, "24 hours"),
    ],
)
def test_waits_are_said_in_plain_words_and_rounded_up(seconds, text):
    assert describe_wait(seconds) == text


def request_from(remote="192.0.2.1", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(forwarded="198.51.100.9")) == "192.0.2.1"


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the address it really saw.
    assert client_ip(request_from(forwarded="10.9.9.9, 198.51.100.9")) == "198.51.100.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(forwarded="10.9.9.9, 198.51.100.9, 10.0.0.2")) == "198.51.100.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "999.1.1.1"])
def test_a_missing_or_malformed_forwarded_header_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(forwarded=forwarded)) == "192.0.2.1"


def anonymous(request):
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


@pytest.mark.usefixtures("throttles_on")
def test_the_decorator_counts_only_the_given_methods_and_answers_429_beyond_the_rate(settings):
    settings.RATELIMITS = {"demo": {"user": None, "anonymous": "2/d"}}
    view = throttle("demo")(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    assert [view(anonymous(factory.get("/"))).status_code for _ in range(5)] == [200] * 5
    codes = [view(anonymous(factory.post("/"))).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.usefixtures("throttles_on")
def test_a_group_without_a_rate_for_the_visitor_is_not_limited(settings):
    settings.RATELIMITS = {"demo": {"user": "1/d", "anonymous": None}}
    request = anonymous(RequestFactory().post("/"))
    assert all(check(request, "demo") is None for _ in range(5))


@pytest.mark.usefixtures("throttles_on")
def test_each_address_has_its_own_count(settings):
    settings.RATELIMITS = {"demo": {"user": None, "anonymous": "1/d"}}
    first = anonymous(RequestFactory().post("/", REMOTE_ADDR="192.0.2.1"))
    second = anonymous(RequestFactory().post("/", REMOTE_ADDR="192.0.2.2"))
    assert check(first, "demo") is None and check(second, "demo") is None
    assert check(first, "demo") is not None


def test_the_json_answer_says_when_to_retry_and_carries_retry_after(rf):
    response = too_many_requests(anonymous(rf.get("/")), Throttled("preview", 42), json=True)
    assert response.status_code == 429 and response["Retry-After"] == "42"
    body = json.loads(response.content)
    assert body["ok"] is False and body["retry_after"] == 42 and "wait 42 seconds" in body["error"]


def test_a_fetch_that_accepts_json_gets_json_without_being_told(rf):
    request = anonymous(rf.get("/", HTTP_ACCEPT="application/json"))
    assert too_many_requests(request, Throttled("answer", 5))["Content-Type"] == "application/json"


def test_every_group_in_the_settings_has_a_reason_for_the_page(settings):
    assert set(settings.RATELIMITS) <= set(throttling.REASONS)


BACKENDS = {
    "local memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-test"},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "throttle_test_cache"},
    "files": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"},
}


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_the_rate_is_counted_in_any_django_cache_backend(backend, settings, db, tmp_path, throttles_on):
    from django.core.cache import caches
    from django.core.management import call_command

    config = dict(BACKENDS[backend])
    if backend == "files":
        config["LOCATION"] = str(tmp_path)
    settings.CACHES = {"default": config}
    if backend == "database":
        call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    settings.RATELIMITS = {"demo": {"user": None, "anonymous": "2/d"}}
    request = anonymous(RequestFactory().post("/", REMOTE_ADDR="192.0.2.77"))

    assert [check(request, "demo") is None for _ in range(3)] == [True, True, False]
