"""Rate limits on sign-up, password change and log-in attempts per address (settings.RATELIMITS)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from throttling import describe_wait

pytestmark = pytest.mark.usefixtures("throttles_on")


def sign_up(client, username, address="203.0.113.7"):
    password = "a-long-pass-phrase"
    data = {"username": username, "email": "", "password1": password, "password2": password}
    return client.post(reverse("signup"), data, REMOTE_ADDR=address)


def assert_says_when_to_retry(response):
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert seconds > 0
    page = response.content.decode()
    assert f"Please wait <strong>{describe_wait(seconds)}</strong> and try again" in page
    assert re.search(r"after \d\d:\d\d UTC", page)
    assert 'class="site-header"' in page  # the site's own page, not a bare error


def test_sign_up_beyond_the_rate_from_one_address_is_refused_with_a_page_saying_when(client, settings, db):
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": {"user": None, "anonymous": "2/d"}}
    for name in ("ann", "ben"):
        assert sign_up(client, name).status_code == 302
        client.post(reverse("logout"))

    response = sign_up(client, "cat")

    assert_says_when_to_retry(response)
    assert "Many accounts have been created from your network" in response.content.decode()
    assert not get_user_model().objects.filter(username="cat").exists()
    assert sign_up(client, "dan", address="198.51.100.20").status_code == 302


def test_the_sign_up_form_itself_is_never_throttled(client, settings, db):
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": {"user": None, "anonymous": "1/d"}}
    assert all(client.get(reverse("signup")).status_code == 200 for _ in range(3))


def test_password_changes_beyond_the_rate_are_refused(student_client, student, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "password_change": {"user": "2/d", "anonymous": None}}
    wrong = {
        "old_password": "guess",
        "new_password1": "another-long-pass",
        "new_password2": "another-long-pass",
    }
    assert [student_client.post(reverse("password_change"), wrong).status_code for _ in range(2)] == [
        200,
        200,
    ]

    right = {**wrong, "old_password": "student-pass-123"}
    response = student_client.post(reverse("password_change"), right)

    assert_says_when_to_retry(response)
    student.refresh_from_db()
    assert student.check_password("student-pass-123")


def test_log_in_attempts_from_one_address_are_limited_whatever_the_username(client, settings, db):
    settings.RATELIMITS = {**settings.RATELIMITS, "login": {"user": "3/d", "anonymous": "3/d"}}
    codes = [
        client.post(reverse("login"), {"username": f"user{n}", "password": "x"}).status_code for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert (
        "many failed log-in attempts from your network" in client.post(reverse("login"), {}).content.decode()
    )


def test_after_too_many_failures_from_an_address_even_a_right_password_waits(client, settings, db):
    settings.RATELIMITS = {**settings.RATELIMITS, "login": {"user": "2/d", "anonymous": "2/d"}}
    get_user_model().objects.create_user("ada", password="a-long-pass-phrase")
    for n in range(3):
        client.post(reverse("login"), {"username": f"user{n}", "password": "x"})

    response = client.post(reverse("login"), {"username": "ada", "password": "a-long-pass-phrase"})

    assert_says_when_to_retry(response)
    assert "_auth_user_id" not in client.session


def test_a_whole_class_behind_one_address_can_log_in_because_only_failures_count(settings, db):
    settings.RATELIMITS = {**settings.RATELIMITS, "login": {"user": "3/d", "anonymous": "3/d"}}
    for n in range(6):
        get_user_model().objects.create_user(f"student{n}", password="a-long-pass-phrase")
    codes = [
        Client()
        .post(reverse("login"), {"username": f"student{n}", "password": "a-long-pass-phrase"})
        .status_code
        for n in range(6)
    ]
    assert codes == [302] * 6
