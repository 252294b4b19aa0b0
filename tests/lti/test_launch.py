"""The launch path, driven by the simulated LMS over loopback HTTP: what it accepts and what it refuses."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from courses.models import Course, Enrollment
from lti.claims import LaunchRole, role_from_claims
from lti.keys import create_tool_key, rotate
from lti.models import PlatformAccount, PlatformContext, ResourceLink
from tests.lti.platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_instructors_first_launch_creates_the_course_they_own(platform, registration, browser, tool_url):
    response = platform.launch(browser, tool_url, subject="teacher-1", roles=[INSTRUCTOR])
    assert response.status_code == 302
    context = PlatformContext.objects.get(context_id="course-101")
    assert context.course.name == "Optimisation for Deep Learning"
    account = PlatformAccount.objects.get(issuer=platform.issuer, subject="teacher-1")
    assert context.course.owner == account.user
    assert not account.user.has_usable_password()
    assert response.headers["Location"] == f"/courses/{context.course_id}/"


def test_a_learner_launch_signs_them_in_enrols_them_and_opens_the_assignment(
    platform, browser, tool_url, quiz_assignment
):
    response = platform.launch(
        browser,
        tool_url,
        subject="student-42",
        roles=[LEARNER],
        custom={"descent_assignment": str(quiz_assignment.pk)},
        given_name="Grace",
        family_name="Hopper",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/quizzes/quiz/week-3/"
    user = PlatformAccount.objects.get(subject="student-42").user
    assert (user.first_name, user.last_name) == ("Grace", "Hopper")
    assert Enrollment.objects.filter(course=quiz_assignment.course, student=user).exists()
    link = ResourceLink.objects.get(resource_link_id="activity-1")
    assert link.assignment == quiz_assignment
    assert link.lineitem_url == f"{platform.url}/lineitems/activity-1"
    # The session is real: the quiz page opens for the launched student.
    page = browser.get(f"{tool_url}/quizzes/quiz/week-3/")
    assert page.status_code == 200 and "Week 3: momentum" in page.text and user.username in page.text


def test_a_second_launch_of_the_same_person_reuses_their_account(
    platform, browser, tool_url, connected_course
):
    platform.launch(browser, tool_url, subject="student-7", roles=[LEARNER])
    platform.launch(browser, tool_url, subject="student-7", roles=[LEARNER], email="new@lms.example")
    assert PlatformAccount.objects.filter(subject="student-7").count() == 1
    assert PlatformAccount.objects.get(subject="student-7").user.email == "new@lms.example"


def test_a_learner_cannot_be_the_first_to_open_an_unconnected_course(
    platform, registration, browser, tool_url
):
    response = platform.launch(browser, tool_url, subject="early-bird", roles=[LEARNER])
    assert response.status_code == 403
    assert "not connected to Descent yet" in response.text
    assert not Course.objects.exists()


def test_a_replayed_id_token_is_refused(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="student-1", roles=[LEARNER])
    form = {"id_token": token, "state": params["state"]}
    first = browser.post(params["redirect_uri"], data=form, allow_redirects=False)
    assert first.status_code == 302
    again = browser.post(params["redirect_uri"], data=form, allow_redirects=False)
    assert again.status_code == 403
    assert "already used" in again.text


def test_an_expired_id_token_is_refused(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="late", roles=[LEARNER], expires_in=-120)
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403
    assert "could not be verified" in response.text and "expired" in response.text.lower()
    assert not PlatformAccount.objects.filter(subject="late").exists()


def test_an_id_token_signed_with_another_key_is_refused(platform, browser, tool_url, connected_course):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(
        nonce=params["nonce"], subject="mallory", roles=[INSTRUCTOR], signing_key=forger
    )
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403
    assert not PlatformAccount.objects.filter(subject="mallory").exists()


def test_an_id_token_for_another_tool_is_refused(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="s", roles=[LEARNER], audience="another-tool")
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403


def test_an_id_token_with_a_nonce_the_tool_never_issued_is_refused(
    platform, browser, tool_url, connected_course
):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce="made-up-nonce", subject="s", roles=[LEARNER])
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403
    assert "Nonce" in response.text or "nonce" in response.text


def test_a_launch_with_a_state_from_another_browser_is_refused(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="s", roles=[LEARNER])
    import requests

    with requests.Session() as stranger:
        response = stranger.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403


def test_an_unregistered_deployment_is_refused(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="s", roles=[LEARNER], deployment_id="rogue")
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403
    assert "deployment" in response.text


def test_a_login_from_an_unregistered_platform_is_refused(browser, tool_url, registration):
    response = browser.get(
        f"{tool_url}/lti/login/",
        params={
            "iss": "https://unknown-lms.example",
            "login_hint": "x",
            "target_link_uri": tool_url,
            "client_id": "nobody",
        },
        allow_redirects=False,
    )
    assert response.status_code == 400


def test_the_platform_key_set_is_fetched_once_and_then_cached(platform, tool_url, connected_course):
    import requests

    fetched_for_instructor = platform.jwks_fetches
    for subject in ("a", "b", "c"):
        with requests.Session() as someone:
            assert platform.launch(someone, tool_url, subject=subject, roles=[LEARNER]).status_code == 302
    assert fetched_for_instructor == 1
    assert platform.jwks_fetches == 1


def test_launches_over_plain_http_are_refused_when_https_is_required(
    settings, platform, browser, tool_url, registration
):
    settings.LTI_REQUIRE_HTTPS = True
    response = browser.get(f"{tool_url}/lti/login/", params={"iss": platform.issuer}, allow_redirects=False)
    assert response.status_code == 400
    assert "HTTPS" in response.text
    assert browser.post(f"{tool_url}/lti/launch/", data={"id_token": "x"}).status_code == 400


def test_the_tool_key_set_keeps_a_rotated_out_key_until_it_is_retired(browser, tool_url, registration):
    old = registration.tool_key
    new = rotate(old=old, name="tool-key-2027")
    kids = {key["kid"] for key in browser.get(f"{tool_url}/lti/jwks/").json()["keys"]}
    assert len(kids) == 2
    assert LtiTool.objects.get(pk=registration.pk).tool_key == new
    old.delete()
    assert len(browser.get(f"{tool_url}/lti/jwks/").json()["keys"]) == 1
    create_tool_key("spare")
    assert len(browser.get(f"{tool_url}/lti/jwks/").json()["keys"]) == 2


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([LEARNER], LaunchRole.LEARNER),
        ([INSTRUCTOR], LaunchRole.INSTRUCTOR),
        ([INSTRUCTOR, TEACHING_ASSISTANT], LaunchRole.TEACHING_ASSISTANT),
        (["Instructor"], LaunchRole.INSTRUCTOR),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Observer"], LaunchRole.OTHER),
        ([], LaunchRole.OTHER),
    ],
)
def test_lms_roles_map_to_descent_roles(roles, expected):
    assert role_from_claims(roles) == expected
