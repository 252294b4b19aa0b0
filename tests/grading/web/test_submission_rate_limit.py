"""Code submissions are rate-limited per student (settings.RATELIMITS["submission"])."""

import pytest
from django.urls import reverse

from grading.models import Submission

pytestmark = pytest.mark.usefixtures("throttles_on")


def test_a_submission_beyond_the_rate_is_refused_with_429_and_the_code_kept(
    student_client, student, adam, settings
):
    settings.RATELIMITS = {**settings.RATELIMITS, "submission": {"user": "2/d", "anonymous": None}}
    url = reverse("grading:exercise", args=["adam"])
    for _ in range(2):
        assert student_client.post(url, {"source": adam.reference_source}).status_code == 302

    response = student_client.post(url, {"source": "# my third try\n" + adam.reference_source})

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "You have submitted code many times in a short time. Please wait" in page
    assert "This code was not submitted; it is still below." in page and "# my third try" in page
    assert Submission.objects.filter(student=student).count() == 2


def test_opening_the_exercise_page_is_not_counted(student_client, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "submission": {"user": "1/d", "anonymous": None}}
    url = reverse("grading:exercise", args=["adam"])
    assert all(student_client.get(url).status_code == 200 for _ in range(3))
