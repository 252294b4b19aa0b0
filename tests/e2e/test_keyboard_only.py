"""A student who uses only the keyboard (Tab, Shift+Tab, Enter, Space, and typing) takes a quiz and
submits code: the editor is reachable, named, left with Escape then Tab, and the grader's line
reference in the result takes focus to that line of the submitted code."""

from __future__ import annotations

import re

import pytest

from accounts.services import user_create
from grading.models import Submission
from quizzes.models import Attempt, AttemptStatus, Bank, Item, Quiz, QuizRule
from quizzes.services.versions import item_version_current
from tests.e2e.conftest import GRADING_TIMEOUT_MS, log_in

pytestmark = pytest.mark.e2e

PASSWORD = "keyboard-pass-123"
MAX_TABS = 80

# Starts with an empty line, so the editor must keep it for its line numbers to match the grader's.
SYNTAX_ERROR = "\nimport numpy as np\n\ndef init_state(params)\n    return {}\n"
SGD = "def init_state(params):\n    return {}\n\n\ndef step(params, grads, state, *, lr):\n    return params - lr * grads, state\n"


def focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName, id: el.id, name: el.getAttribute('name') || '',
                           type: el.getAttribute('type') || '', text: (el.textContent || '').trim().slice(0, 60),
                           classes: el.className && el.className.baseVal === undefined ? el.className : ''}; }"""
    )


def tab_to(page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; focus is on {focused(page)}")


def submit_and_settle(page, attempt, key: str, *, answered: int) -> None:
    """Press `key` to send an answer, then wait until it is stored and the page has settled (the
    answer may be sent by a page load or by the page's script)."""
    page.keyboard.press(key)
    page.wait_for_timeout(200)
    page.wait_for_load_state("networkidle")
    stored = attempt.attempt_items.filter(answered_at__isnull=False).count()
    assert stored >= answered, f"answer {answered} was not stored: {page.inner_text('main')[:600]}"


def leave_editor(page) -> None:
    """Escape, then Tab: the editor lets that Tab move focus instead of indenting."""
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.fixture
def keyboard_quiz(transactional_db):
    student = user_create(username="keys", password=PASSWORD)
    owner = user_create(username="keys-teacher", password=PASSWORD, instructor=True)
    bank = Bank.objects.create(slug="keys-bank", name="Keyboard bank", owner=owner)
    items = [
        Item.objects.create(
            bank=bank,
            key="keys-truefalse",
            kind="truefalse",
            stem="A negative gradient points downhill.",
            explanation="It does.",
            spec={"answer": True},
        ),
        Item.objects.create(
            bank=bank,
            key="keys-numeric",
            kind="numeric",
            stem="What is 2 + 2?",
            explanation="Four.",
            spec={"answer": 4, "tolerance": {"mode": "absolute", "value": 0.01}},
        ),
    ]
    for item in items:
        item_version_current(item=item, author=owner)
    quiz = Quiz.objects.create(slug="keys-quiz", title="Keyboard quiz", owner=owner)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=2)
    return student, quiz


def test_a_keyboard_user_takes_a_quiz(page, keyboard_quiz):
    student, quiz = keyboard_quiz
    log_in(page, student.username, PASSWORD)
    page.goto(f"/quizzes/quiz/{quiz.slug}/")
    tab_to(page, "form[action$='/start/'] button[type=submit]")
    press_and_wait(page, "Enter")
    attempt = Attempt.objects.get(student=student, quiz=quiz)
    positions = {ai.item.key: ai.position for ai in attempt.attempt_items.select_related("item")}

    # True/false: Tab onto the radio group (its first option, "True"), Space picks it, Enter on Submit.
    truefalse = positions["keys-truefalse"]
    tab_to(page, f"#item-{truefalse} input[type=radio]")
    page.keyboard.press("Space")
    assert page.locator(f"#item-{truefalse} input[type=radio]").first.is_checked()
    tab_to(page, f"#item-{truefalse} button.submit-answer")
    submit_and_settle(page, attempt, "Enter", answered=1)

    # Numeric: type the answer and press Enter in the field.
    numeric = positions["keys-numeric"]
    tab_to(page, f"#item-{numeric} input[name=answer]")
    page.keyboard.type("4")
    submit_and_settle(page, attempt, "Enter", answered=2)

    tab_to(page, "form.finish-form button[type=submit]")
    press_and_wait(page, "Enter")
    page.wait_for_load_state("networkidle")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
    assert attempt.score == 1.0


def test_a_keyboard_user_submits_code_and_follows_the_line_reference(
    page, keyboard_quiz, grading_worker, tmp_path
):
    student, _ = keyboard_quiz
    log_in(page, student.username, PASSWORD)
    page.goto("/grading/sgd/")

    tab_to(page, ".cm-content")
    # The editor is named by the form's label.
    name = page.evaluate(
        "() => document.getElementById(document.activeElement.getAttribute('aria-labelledby')).textContent"
    )
    assert name.strip().startswith("Your code")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(SYNTAX_ERROR)
    # Escape, then Tab: out of the editor (where Tab indents) to the next control, the Submit button.
    leave_editor(page)
    assert page.evaluate("() => document.activeElement.matches('form.submit-form button[type=submit]')"), str(
        focused(page)
    )
    press_and_wait(page, "Enter")
    assert re.search(r"/grading/submissions/\d+/$", page.url), page.url
    submission = Submission.objects.get(student=student)
    assert submission.source == SYNTAX_ERROR
    page.locator("#result [data-status-label]").wait_for(state="visible")
    grading_worker()
    page.locator("#result .verdict").wait_for(state="visible", timeout=GRADING_TIMEOUT_MS)

    verdict = page.locator("#result .verdict")
    assert "Python could not read your code" in verdict.inner_text()
    assert verdict.locator(".score").count() == 0 and "%" not in verdict.inner_text()
    # The grader cites line 4 (the `def` without its colon); the link takes focus to that line.
    tab_to(page, "a.line-ref")
    assert page.evaluate("() => document.activeElement.dataset.line") == "4"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "L4"
    assert "def init_state(params)" in page.evaluate("() => document.activeElement.textContent")
    assert page.locator("#submitted-code").evaluate("d => d.open")

    # Back on the exercise: the editor holds the code as submitted, leading empty line included,
    # so its line 4 is the line the grader cited.
    page.goto("/grading/sgd/")
    doc = page.evaluate(
        "() => CM.EditorView.findFromDOM(document.querySelector('.cm-editor')).state.doc.toString()"
    )
    assert doc == SYNTAX_ERROR
    # The editor measures its lines once they are on screen; then number 4 sits beside line 4.
    page.locator(".cm-editor").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    fourth = page.locator(".cm-content .cm-line").nth(3).text_content()
    gutter = page.locator(".cm-lineNumbers .cm-gutterElement").filter(has_text=re.compile(r"^4$"))
    assert fourth == "def init_state(params)"
    line_box, gutter_box = page.locator(".cm-content .cm-line").nth(3).bounding_box(), gutter.bounding_box()
    assert abs(line_box["y"] - gutter_box["y"]) < 2, (line_box, gutter_box)

    # A correct step, typed the same way, passes.
    tab_to(page, ".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(SGD)
    leave_editor(page)
    press_and_wait(page, "Enter")
    page.locator("#result [data-status-label]").wait_for(state="visible")
    grading_worker()
    page.locator("#result .verdict").wait_for(state="visible", timeout=GRADING_TIMEOUT_MS)
    assert "verdict-passed" in page.locator("#result .verdict").get_attribute("class")
