"""Issue 5 end to end: a student joins a course and finishes an assigned quiz, sees an achievement
notice and the dashboard change; the instructor downloads the gradebook as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create
from quizzes.engine.common import stable_id
from quizzes.models import Attempt, AttemptItem, Quiz
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, DEMO_INSTRUCTOR, DEMO_STUDENT, log_in, save_screenshot

pytestmark = pytest.mark.e2e

QUIZ = "warm-up-sgd"
CHOICE_KINDS = ("single", "multiple", "truefalse")


@pytest.fixture
def course_with_quiz(demo_content):
    instructor = get_user_model().objects.get(username=DEMO_INSTRUCTOR[0])
    course = course_create(owner=instructor, name="Optimizers, spring term")
    now = timezone.now()
    quiz = Quiz.objects.get(slug=QUIZ)
    assignment_create(
        course=course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )
    return course


def correct_choices(attempt_item: AttemptItem) -> list[str]:
    """The option values that answer a choice item correctly, read from the item's key."""
    spec = attempt_item.item.spec
    if attempt_item.item.kind == "truefalse":
        return ["true" if spec.get("answer") else "false"]
    return [stable_id("c", choice) for choice in spec.get("choices") or [] if choice.get("correct")]


def dashboard_summary(page) -> str:
    page.goto("/progress/")
    return page.locator(".summary-line").inner_text()


def test_student_finishes_an_assigned_quiz_and_the_instructor_downloads_the_gradebook(
    page, browser, live_server, course_with_quiz, tmp_path
):
    course = course_with_quiz
    log_in(page, *DEMO_STUDENT)
    before = dashboard_summary(page)
    assert re.search(r"\b0 XP\b", before), before
    assert page.locator(".activity").count() == 0

    # Join with the enrolment code, as the instructor would hand it out.
    page.goto("/courses/join/")
    join_form = page.locator("main form:has(input[name=code])")
    join_form.locator("input[name=code]").fill(course.code)
    with page.expect_navigation():
        join_form.locator("button[type=submit]").click()
    assert page.url.rstrip("/").endswith(f"/courses/{course.pk}"), page.url

    # Take the quiz and answer every choice item right (the other kinds are left unanswered).
    page.goto(f"/quizzes/quiz/{QUIZ}/")
    with page.expect_navigation():
        page.click(f"form[action$='/quiz/{QUIZ}/start/'] button[type=submit]")
    student = get_user_model().objects.get(username=DEMO_STUDENT[0])
    attempt = Attempt.objects.get(student=student, quiz__slug=QUIZ)
    choice_items = list(
        AttemptItem.objects.filter(attempt=attempt, item__kind__in=CHOICE_KINDS).select_related("item")
    )
    assert choice_items, "the warm-up quiz draws choice items"
    for attempt_item in choice_items:
        panel = page.locator(f"#item-{attempt_item.position}")
        for value in correct_choices(attempt_item):
            panel.locator(f"input[name=answer][value='{value}']").check()
        with page.expect_navigation():
            panel.locator("button.submit-answer").click()
    with page.expect_navigation():
        page.click("form.finish-form button[type=submit]")  # the "unanswered score 0" confirm is accepted

    # The achievement notice arrives with the next page, without the student asking for it.
    notice = page.locator(".messages li", has_text="Achievement earned")
    notice.first.wait_for(state="visible")
    assert "First steps" in page.locator(".messages").inner_text()

    after = dashboard_summary(page)
    xp = int(re.search(r"(\d+) XP", after).group(1))
    assert xp > 0, after
    activity = page.locator(".activity li", has_text="Warm-up")
    assert activity.count() == 1
    assert activity.locator("a").get_attribute("href").endswith(f"/quizzes/attempts/{attempt.pk}/review/")
    levels = page.locator(".mastery-table tbody tr td:nth-child(2)").all_inner_texts()
    assert any("not started" not in level.lower() for level in levels), levels
    save_screenshot(page, tmp_path, "student-dashboard-after-quiz")

    # The instructor, in a browser of their own, downloads the gradebook and reads it as CSV.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    teacher = context.new_page()
    try:
        log_in(teacher, *DEMO_INSTRUCTOR)
        teacher.goto(f"/courses/{course.pk}/gradebook/")
        with teacher.expect_download() as download_info:
            teacher.click(f"a[href$='/courses/{course.pk}/gradebook.csv']")
        download = download_info.value
        assert download.suggested_filename.startswith(f"gradebook-course-{course.pk}-")
        text = open(download.path(), encoding="utf-8-sig").read()
    finally:
        context.close()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["student", "joined (UTC)"]
    assert [row[0] for row in body] == [DEMO_STUDENT[0]]
    raw = header.index(next(name for name in header if name.endswith(": raw %")))
    attempts = header.index(next(name for name in header if name.endswith(": attempts")))
    attempt.refresh_from_db()
    assert float(body[0][raw]) == pytest.approx(round(attempt.score * 100, 1))
    assert body[0][attempts] == "1"  # one finished attempt
