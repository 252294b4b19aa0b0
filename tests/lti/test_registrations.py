"""Registering an LMS platform: staff only, validated, and it becomes what launches are checked against."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

pytestmark = pytest.mark.django_db

FORM = {
    "title": "University Moodle",
    "issuer": "https://moodle.example.edu",
    "client_id": "abc123",
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
    "key_set_url": "https://moodle.example.edu/mod/lti/certs.php",
    "deployment_list": "1, 7\n9",
    "is_active": "on",
}


@pytest.fixture
def staff_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "root-pass-123")
    client.force_login(admin)
    return client


def test_staff_register_a_platform_and_see_the_urls_to_enter_in_the_lms(staff_client):
    page = staff_client.get("/lti/registrations/")
    assert page.status_code == 200
    assert "/lti/jwks/" in page.content.decode() and "/lti/login/" in page.content.decode()
    response = staff_client.post("/lti/registrations/", FORM)
    assert response.status_code == 302
    registration = LtiTool.objects.get()
    assert json.loads(registration.deployment_ids) == ["1", "7", "9"]
    assert registration.tool_key.public_key


def test_a_registration_needs_a_key_set_url_and_a_deployment(staff_client):
    response = staff_client.post("/lti/registrations/", {**FORM, "key_set_url": "", "deployment_list": " , "})
    assert response.status_code == 400
    assert not LtiTool.objects.exists()


def test_the_same_platform_and_client_cannot_be_registered_twice(staff_client):
    staff_client.post("/lti/registrations/", FORM)
    response = staff_client.post("/lti/registrations/", FORM)
    assert response.status_code == 400
    assert LtiTool.objects.count() == 1


def test_an_instructor_cannot_register_platforms(instructor_client):
    response = instructor_client.get("/lti/registrations/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert instructor_client.post("/lti/registrations/", FORM).status_code == 302
    assert not LtiTool.objects.exists()
