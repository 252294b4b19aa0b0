"""Deep linking, grade passback and roster sync against the simulated LMS, over loopback HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from courses.models import Enrollment
from lti.models import PlatformAccount, ScoreSync, SyncStatus
from lti.services.scores import push_due_scores, record_score
from tests.lti.passback_support import worker_tick
from tests.lti.platform import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db(transaction=True)


def test_deep_linking_returns_the_chosen_assignment_as_a_graded_activity(
    platform, browser, tool_url, quiz_assignment
):
    response, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(
        nonce=params["nonce"], subject="teacher-1", roles=[INSTRUCTOR], deep_linking=True
    )
    launch = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert launch.status_code == 200
    assert "Week 3: momentum" in launch.text
    picker_url = launch.url
    csrf = browser.cookies["csrftoken"]
    chosen = browser.post(
        picker_url,
        data={"assignment": str(quiz_assignment.pk), "csrfmiddlewaretoken": csrf},
        headers={"Referer": picker_url},
    )
    assert chosen.status_code == 200
    # The page carries a form to the LMS's return address with the signed response; post it as a browser would.
    assert f'action="{platform.url}/deep-link-return"' in chosen.text
    # The page's policy lets that form go to the LMS (the rest of the site posts to itself only).
    [form_action] = [
        d.split()[1:] for d in chosen.headers["Content-Security-Policy"].split(";") if "form-action" in d
    ]
    assert form_action == ["'self'", platform.url]
    jwt_value = chosen.text.split('name="JWT" value="', 1)[1].split('"', 1)[0]
    browser.post(f"{platform.url}/deep-link-return", data={"JWT": jwt_value})
    [message] = platform.deep_link_responses
    assert message["iss"] == platform.client_id
    assert message["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    [item] = message["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["title"] == "Week 3: momentum"
    assert item["custom"] == {"descent_assignment": str(quiz_assignment.pk)}
    assert item["lineItem"]["scoreMaximum"] == 1
    assert item["url"] == f"{tool_url}/lti/launch/"


def test_a_learner_cannot_deep_link(platform, browser, tool_url, connected_course):
    _, params = platform.begin_login(browser, tool_url)
    token = platform.id_token(nonce=params["nonce"], subject="s1", roles=[LEARNER], deep_linking=True)
    response = browser.post(params["redirect_uri"], data={"id_token": token, "state": params["state"]})
    assert response.status_code == 403


def launch_learner(platform, browser, tool_url, assignment, subject="student-42"):
    response = platform.launch(
        browser, tool_url, subject=subject, roles=[LEARNER], custom={"descent_assignment": str(assignment.pk)}
    )
    assert response.status_code == 302
    return PlatformAccount.objects.get(subject=subject).user


def test_a_score_reaches_the_lms_line_item_with_its_progress_and_time(
    platform, browser, tool_url, quiz_assignment
):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.75)
    assert platform.scores == [] and ScoreSync.objects.get().status == SyncStatus.PENDING  # queued only
    worker_tick()
    [score] = platform.scores
    assert score["_lineitem"] == "/lineitems/activity-1"
    assert score["_content_type"] == "application/vnd.ims.lis.v1.score+json"
    assert score["userId"] == "student-42"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (0.75, 1.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["timestamp"]
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_a_score_rolled_back_with_its_transaction_never_reaches_the_lms(
    platform, browser, tool_url, quiz_assignment
):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=1.0)
        raise RuntimeError("the attempt did not finish after all")
    worker_tick()
    assert platform.scores == []
    assert not ScoreSync.objects.exists()


def test_a_failed_score_is_kept_with_its_error_and_sent_on_a_later_try(
    platform, browser, tool_url, quiz_assignment
):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    platform.fail_next_scores = 2
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.5)
    worker_tick()
    sync = ScoreSync.objects.get()
    assert sync.status == SyncStatus.FAILED and sync.tries == 1 and sync.last_error
    assert push_due_scores() == {"sent": 0, "failed": 0}  # not due yet
    assert push_due_scores(now=timezone.now() + timedelta(minutes=5)) == {"sent": 0, "failed": 1}
    assert push_due_scores(now=timezone.now() + timedelta(hours=1)) == {"sent": 1, "failed": 0}
    assert [s["scoreGiven"] for s in platform.scores] == [0.5]
    sync.refresh_from_db()
    assert sync.status == SyncStatus.SENT and sync.tries == 2


def test_the_instructor_sees_each_students_sync_status(platform, browser, tool_url, quiz_assignment):
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    platform.fail_next_scores = 1
    with transaction.atomic():
        record_score(user=student, assignment_id=quiz_assignment.pk, score=0.5)
    worker_tick()
    from django.test import Client

    client = Client()
    client.force_login(quiz_assignment.course.owner)
    page = client.get(f"/lti/courses/{quiz_assignment.course_id}/")
    assert page.status_code == 200
    assert "Failed; will retry" in page.content.decode()
    retried = client.post(f"/lti/courses/{quiz_assignment.course_id}/", {"action": "retry"})
    assert "Scores sent: 1" in retried.content.decode()
    assert "Sent" in retried.content.decode()


def test_another_instructor_cannot_see_the_lms_page_of_a_course(quiz_assignment, make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user("other-teacher", instructor=True))
    assert client.get(f"/lti/courses/{quiz_assignment.course_id}/").status_code == 404


def test_the_roster_sync_enrols_learners_who_never_launched(platform, connected_course):
    platform.members = [
        {"user_id": "teacher-1", "roles": [INSTRUCTOR], "status": "Active"},
        {"user_id": "quiet-1", "roles": [LEARNER], "given_name": "Quinn", "status": "Active"},
        {"user_id": "quiet-2", "roles": [LEARNER], "status": "Active"},
        {"user_id": "gone-1", "roles": [LEARNER], "status": "Inactive"},
    ]
    from django.test import Client

    client = Client()
    client.force_login(connected_course.owner)
    page = client.post(f"/lti/courses/{connected_course.pk}/", {"action": "roster"})
    assert "4 members" not in page.content.decode()
    assert "3 members, 2 newly enrolled" in page.content.decode()
    enrolled = set(
        Enrollment.objects.filter(course=connected_course).values_list(
            "student__lti_accounts__subject", flat=True
        )
    )
    assert enrolled == {"quiet-1", "quiet-2"}
    assert PlatformAccount.objects.get(subject="quiet-1").user.first_name == "Quinn"


def make_two_fact_quiz(quiz_assignment):
    """The assignment's quiz, published, drawing two true/false items."""
    from quizzes.models import Bank, Item, QuizRule

    quiz = quiz_assignment.quiz
    owner = quiz_assignment.course.owner
    bank = Bank.objects.create(slug="lti-bank", name="LTI bank", owner=owner)
    for position, answer in enumerate((True, False)):
        Item.objects.create(
            bank=bank,
            key=f"fact-{position}",
            kind="truefalse",
            stem="Fact?",
            position=position,
            spec={"answer": answer},
        )
    QuizRule.objects.create(quiz=quiz, bank=bank, count=2)
    quiz.owner, quiz.published = owner, True
    quiz.save()
    return quiz


def finish_with_one_right_answer(quiz, student) -> None:
    from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start

    attempt = attempt_start(quiz=quiz, student=student)
    first = attempt.attempt_items.select_related("item").order_by("position").first()
    attempt_answer(attempt_item=first, student=student, response=first.item.spec["answer"])
    attempt_finish(attempt=attempt)


def test_finishing_a_quiz_sends_its_grade_to_the_lms_without_a_hand_on_the_keyboard(
    platform, browser, tool_url, quiz_assignment
):
    quiz = make_two_fact_quiz(quiz_assignment)
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    finish_with_one_right_answer(quiz, student)
    worker_tick()
    [score] = platform.scores
    assert score["userId"] == "student-42"
    assert score["scoreGiven"] == 0.5 and score["scoreMaximum"] == 1.0
    assert ScoreSync.objects.get().status == SyncStatus.SENT


def test_grading_an_essay_sends_the_quiz_s_new_grade_to_the_lms(platform, browser, tool_url, quiz_assignment):
    from quizzes.models import Bank, Item, QuizRule
    from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
    from quizzes.services.manual_grading import grade_answer

    quiz = quiz_assignment.quiz
    owner = quiz_assignment.course.owner
    bank = Bank.objects.create(slug="lti-essays", name="LTI essays", owner=owner)
    Item.objects.create(bank=bank, key="why-momentum", kind="essay", stem="Why momentum?", spec={})
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1)
    quiz.owner, quiz.published = owner, True
    quiz.save()
    student = launch_learner(platform, browser, tool_url, quiz_assignment)
    attempt = attempt_start(quiz=quiz, student=student)
    essay = attempt.attempt_items.get()
    attempt_answer(attempt_item=essay, student=student, response="It damps the zig-zag.")
    attempt_finish(attempt=attempt)
    essay.refresh_from_db()
    worker_tick()

    grade_answer(attempt_item=essay, score=0.8, comment="Good.", by=owner)
    worker_tick()

    # Finishing sent the provisional grade (the essay counted 0); the grade sends the real one.
    assert [score["scoreGiven"] for score in platform.scores] == [0.0, 0.8]
