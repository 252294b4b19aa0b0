"""The log-in lockout (django-axes): per username and address, site and admin log-in alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create

pytestmark = pytest.mark.usefixtures("throttles_on")

RIGHT, WRONG = "student-pass-123", "not-the-password"
CLASSROOM = "203.0.113.7"  # one NAT address shared by a whole class


def log_in(client, username, password, *, url=None, address=CLASSROOM):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return client.get(reverse("home")).context["user"].is_authenticated


def fail(client, username, times, **kwargs):
    return [log_in(client, username, WRONG, **kwargs).status_code for _ in range(times)]


def test_four_wrong_passwords_show_the_form_again_and_the_fifth_pauses_log_in(client, student):
    assert fail(client, "sam", 4) == [200] * 4
    assert fail(client, "sam", 1) == [429]


def test_the_sixth_attempt_is_refused_with_429_even_with_the_right_password(client, student):
    fail(client, "sam", 5)

    response = log_in(client, "sam", RIGHT)

    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Log-in paused" in page and "5 wrong passwords" in page and "“sam”" in page
    assert "Please wait <strong>15 minutes</strong> and try again" in page
    assert 890 <= int(response["Retry-After"]) <= 900


def test_the_lockout_page_is_a_page_of_the_site(client, student):
    fail(client, "sam", 5)
    page = log_in(client, "sam", RIGHT).content.decode()
    assert 'class="site-header"' in page and "<title>Log-in paused · Descent</title>" in page


def test_another_student_behind_the_same_address_can_still_log_in(client, student, second_student):
    fail(client, "sam", 6)

    response = log_in(client, "sue", RIGHT)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_same_student_from_another_address_can_still_log_in(client, student):
    fail(client, "sam", 6)
    assert log_in(client, "sam", RIGHT, address="198.51.100.20").status_code == 302


def test_a_successful_log_in_resets_the_count(client, student):
    fail(client, "sam", 4)
    assert log_in(client, "sam", RIGHT).status_code == 302
    client.post(reverse("logout"))

    assert fail(client, "sam", 4) == [200] * 4
    assert log_in(client, "sam", RIGHT).status_code == 302


def test_the_pause_ends_after_the_cool_off(client, student):
    fail(client, "sam", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert log_in(client, "sam", RIGHT).status_code == 302


def test_attempts_during_the_pause_do_not_extend_it(client, student):
    fail(client, "sam", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))

    response = log_in(client, "sam", WRONG)

    assert response.status_code == 429
    assert 290 <= int(response["Retry-After"]) <= 300
    assert "Please wait <strong>5 minutes</strong>" in response.content.decode()


def test_the_failure_limit_and_cool_off_come_from_settings(client, student, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=3)
    assert fail(client, "sam", 2) == [200, 429]
    response = log_in(client, "sam", RIGHT)
    assert response.status_code == 429 and "3 minutes" in response.content.decode()


def test_the_admin_log_in_is_paused_too(client, db):
    user_create(username="ada", password="admin-pass-123")
    get_user_model().objects.filter(username="ada").update(is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")

    assert fail(client, "ada", 5, url=admin_login)[-1] == 429
    response = log_in(client, "ada", "admin-pass-123", url=admin_login)

    assert response.status_code == 429
    assert "Log-in paused" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to log in


def test_failures_at_the_admin_and_the_site_count_together(client, student):
    fail(client, "sam", 3, url=reverse("admin:login"))
    fail(client, "sam", 2)
    assert log_in(client, "sam", RIGHT).status_code == 429


def test_a_script_asking_for_json_gets_json(student):
    client = Client(HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    fail(client, "sam", 5)
    response = log_in(client, "sam", RIGHT)
    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    assert "15 minutes" in response.json()["error"] and response.json()["retry_after"] > 0


def test_the_lockout_is_off_in_other_tests_by_a_test_setting(settings, db):
    settings.AXES_ENABLED = False  # what the suite's autouse fixture does
    client = Client()
    user_create(username="tom", password=RIGHT)
    assert fail(client, "tom", 8) == [200] * 8
    assert log_in(client, "tom", RIGHT).status_code == 302
