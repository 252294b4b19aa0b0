"""A student enters the optimizer challenge from the browser and finds the entry ranked on their
course's leaderboard among the tuned baselines. A real grading worker loop grades the entry in this
process (the in-memory SQLite test database is shared with the live server's thread only).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from courses.services.challenge import challenge_set_enabled
from courses.services.courses import course_create, enrollment_join
from tests.e2e.conftest import DEMO_INSTRUCTOR, DEMO_STUDENT, GRADING_TIMEOUT_MS, log_in, save_screenshot
from tests.e2e.test_code_exercise import set_editor_text
from tests.grading.test_challenge import ADAM_LIKE

pytestmark = pytest.mark.e2e


@pytest.fixture
def course_with_challenge(demo_content):
    users = get_user_model().objects
    course = course_create(owner=users.get(username=DEMO_INSTRUCTOR[0]), name="Optimizers, challenge term")
    enrollment_join(student=users.get(username=DEMO_STUDENT[0]), code=course.code)
    challenge_set_enabled(course=course, enabled=True)
    return course


def test_a_student_enters_the_challenge_and_sees_the_entry_on_the_course_leaderboard(
    page, course_with_challenge, grading_worker, tmp_path
):
    course = course_with_challenge
    log_in(page, *DEMO_STUDENT)
    board = f"/courses/{course.pk}/challenge/"
    page.goto(board)
    assert page.locator("table.leaderboard tr.you").count() == 0  # no entry yet: only the baselines
    assert page.locator("table.leaderboard tr[data-baseline=yes]").count() == 4

    page.goto("/grading/challenge/")
    set_editor_text(page, ADAM_LIKE)  # Adam at rate 0.1: it reaches every target
    with page.expect_navigation():
        page.click("form.submit-form button[type=submit]")
    assert re.search(r"/grading/submissions/\d+/$", page.url), page.url
    page.locator("#result [data-status-label]").wait_for(state="visible")
    grading_worker()
    score = page.locator("#result [data-challenge-score]")
    score.wait_for(state="visible", timeout=GRADING_TIMEOUT_MS)
    reached = page.locator("#result td[data-reached]").evaluate_all(
        "cells => cells.map(c => c.dataset.reached)"
    )
    assert reached == ["yes"] * 5, reached
    entry_path = urlparse(page.url).path
    entry_score = score.inner_text()
    save_screenshot(page, tmp_path, "challenge-entry")

    page.goto(board)
    you = page.locator("table.leaderboard tr.you")
    assert you.count() == 1
    row = you.inner_text()
    assert DEMO_STUDENT[0] in row and "(you)" in row
    assert you.locator("td").nth(1).inner_text() == entry_score  # the same score, to 3 decimals
    # Ranked among the baselines by score: the rows' scores never go up down the table.
    scores = [float(s) for s in page.locator("table.leaderboard tbody tr td:nth-child(3)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    assert you.locator("a").get_attribute("href") == entry_path  # their own entry opens from the board
    save_screenshot(page, tmp_path, "challenge-leaderboard")
