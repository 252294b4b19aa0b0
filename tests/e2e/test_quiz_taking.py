"""Quiz-taking in a real browser: typed answers survive Finish, answers change until Finish with
feedback at the end, previous/next with the focus on the feedback, ✓/✗ on choices in the review."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from quizzes.engine.common import stable_id
from quizzes.models import Attempt, AttemptItem, Bank, Quiz, QuizRule
from tests.e2e.conftest import DEMO_STUDENT, log_in, save_screenshot

pytestmark = pytest.mark.e2e


def make_quiz(slug: str, *, bank: str, kinds: list[str], count: int, **settings) -> Quiz:
    quiz = Quiz.objects.create(slug=slug, title=f"Quiz {slug}", **settings)
    QuizRule.objects.create(quiz=quiz, bank=Bank.objects.get(slug=bank), kinds=kinds, count=count)
    return quiz


def start(page, quiz: Quiz) -> Attempt:
    page.goto(f"/quizzes/quiz/{quiz.slug}/")
    with page.expect_navigation():
        page.click(f"form[action$='/quiz/{quiz.slug}/start/'] button[type=submit]")
    assert re.search(r"/quizzes/attempts/\d+/", page.url), page.url
    student = get_user_model().objects.get(username=DEMO_STUDENT[0])
    return Attempt.objects.get(student=student, quiz=quiz)


def items(attempt: Attempt) -> list[AttemptItem]:
    return list(attempt.attempt_items.select_related("item", "version").order_by("position"))


def choice_values(attempt_item: AttemptItem) -> tuple[str, str]:
    """One correct and one wrong choice id of a single-choice item (ids as the page uses them)."""
    choices = attempt_item.item_data()["choices"]
    right = next(stable_id("c", choice) for choice in choices if choice.get("correct"))
    wrong = next(stable_id("c", choice) for choice in choices if not choice.get("correct"))
    return right, wrong


def truefalse_values(attempt_item: AttemptItem) -> tuple[str, str]:
    answer = bool(attempt_item.item_data()["answer"])
    return ("true", "false") if answer else ("false", "true")


def test_a_typed_but_not_submitted_answer_survives_finish(page, demo_content):
    quiz = make_quiz("typed-then-finish", bank="concepts-descent", kinds=["numeric"], count=2)
    log_in(page, *DEMO_STUDENT)
    attempt = start(page, quiz)
    first, second = items(attempt)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    # Type the key into question 1 and finish at once, without its own Submit and before the
    # 1.5 s autosave: Finish itself saves what was typed.
    page.locator(f"#item-{first.position} input[name=answer]").fill(repr(float(first.item_data()["answer"])))
    with page.expect_navigation():
        page.click("form.finish-form button[type=submit]")

    assert re.search(rf"/quizzes/attempts/{attempt.pk}/review/$", page.url), page.url
    assert dialogs and f"Question {second.position} has no answer" in dialogs[0], dialogs
    result = page.locator(f"#item-{first.position} .feedback.result")
    assert "correct" in result.get_attribute("class").split()
    assert page.locator(f"#item-{second.position}-key .correct-answer").is_visible()


def test_typing_shows_the_saved_state_and_the_draft_survives_a_reload(page, demo_content):
    quiz = make_quiz("typed-saved", bank="concepts-descent", kinds=["numeric"], count=1)
    log_in(page, *DEMO_STUDENT)
    attempt = start(page, quiz)
    (only,) = items(attempt)
    box = page.locator(f"#item-{only.position} input[name=answer]")
    box.press_sequentially("12.5", delay=20)
    state = page.locator(f"#save-state-{only.position}")
    page.wait_for_function(
        "el => /^Saved \\d\\d:\\d\\d$/.test(el.textContent.trim())", arg=state.element_handle()
    )
    page.reload()
    assert page.locator(f"#item-{only.position} input[name=answer]").input_value() == "12.5"
    only.refresh_from_db()
    assert only.draft == "12.5" and only.answered_at is None  # a draft, not an answer


def test_with_feedback_at_the_end_an_answer_can_be_changed_before_finish(page, demo_content):
    quiz = make_quiz(
        "change-until-finish", bank="concepts-adaptive", kinds=["truefalse"], count=1, feedback_mode="end"
    )
    log_in(page, *DEMO_STUDENT)
    attempt = start(page, quiz)
    (only,) = items(attempt)
    right, wrong = truefalse_values(only)
    panel = page.locator(f"#item-{only.position}")

    panel.locator(f"input[name=answer][value='{wrong}']").check()
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()
    panel = page.locator(f"#item-{only.position}")
    assert "You can change it until you finish" in panel.locator(".saved").inner_text()

    panel.locator(f"input[name=answer][value='{right}']").check()
    with page.expect_navigation():
        panel.locator("button.submit-answer", has_text="Save changed answer").click()
    only.refresh_from_db()
    assert str(only.response).lower() == right

    with page.expect_navigation():
        page.click("form.finish-form button[type=submit]")
    result = page.locator(f"#item-{only.position} .feedback.result")
    assert "correct" in result.get_attribute("class").split()


def test_previous_next_and_the_focus_moves_to_the_feedback(page, demo_content):
    quiz = make_quiz(
        "one-per-page", bank="concepts-adaptive", kinds=["truefalse"], count=3, one_item_per_page=True
    )
    log_in(page, *DEMO_STUDENT)
    attempt = start(page, quiz)
    first = items(attempt)[0]
    assert page.locator(".quiz-item").count() == 1
    right, _ = truefalse_values(first)

    page.locator(f"#item-1 input[name=answer][value='{right}']").check()
    with page.expect_navigation():
        page.locator("#item-1 button.submit-answer").click()
    feedback = page.locator("#feedback-1")
    assert feedback.get_attribute("role") == "status" and feedback.get_attribute("tabindex") == "-1"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'feedback-1'")

    assert page.locator("a[rel=prev]").count() == 0
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert "item=2" in page.url and page.locator("#item-2").is_visible()
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert "item=3" in page.url and page.locator("a[rel=next]").count() == 0
    with page.expect_navigation():
        page.click("a[rel=prev]")
    assert "item=2" in page.url
    with page.expect_navigation():
        page.click("a[rel=prev]")
    assert "item=1" in page.url and page.locator("#feedback-1").is_visible()


def test_the_review_marks_each_choice_and_the_students_pick(page, demo_content, tmp_path):
    quiz = make_quiz(
        "marks-in-review", bank="concepts-adaptive", kinds=["single"], count=1, feedback_mode="end"
    )
    log_in(page, *DEMO_STUDENT)
    attempt = start(page, quiz)
    (only,) = items(attempt)
    right, wrong = choice_values(only)
    panel = page.locator(f"#item-{only.position}")
    panel.locator(f"input[name=answer][value='{wrong}']").check()
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()
    assert page.locator(".choice-mark").count() == 0  # nothing marked before the review
    with page.expect_navigation():
        page.click("form.finish-form button[type=submit]")

    picked = page.locator(f"label.option:has(input[value='{wrong}'])")
    assert "Your answer" in picked.inner_text() and "✗ wrong choice" in picked.inner_text()
    key = page.locator(f"label.option:has(input[value='{right}'])")
    assert "✓ correct choice" in key.inner_text() and "Your answer" not in key.inner_text()
    options = page.locator(f"#item-{only.position} label.option")
    assert options.count() == page.locator(f"#item-{only.position} .choice-mark").count()
    save_screenshot(page, tmp_path, "review-choice-marks")
