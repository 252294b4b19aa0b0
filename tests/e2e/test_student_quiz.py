"""The demo student takes the timed checkpoint quiz, which always holds calculation and symbolic items."""

from __future__ import annotations

import re

import pytest
import sympy
from django.contrib.auth import get_user_model

from quizzes.models import Attempt, AttemptItem
from tests.e2e.conftest import DEMO_STUDENT, log_in, save_screenshot

pytestmark = pytest.mark.e2e

QUIZ = "checkpoint-mixed"
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def numbers_shown(text: str) -> list[float]:
    """Every unsigned number in a piece of page text (KaTeX writes minus signs as U+2212)."""
    return [float(match) for match in NUMBER.findall(text)]


def equivalent_rewrite(key: str, symbols: list[str]) -> str:
    """The key written differently (expanded), so the engine's equivalence check, not string
    equality, has to accept it. Symbols are declared so names like `beta` stay plain symbols."""
    names = {name: sympy.Symbol(name) for name in symbols}
    return str(sympy.expand(sympy.sympify(key, locals=names)))


def start_attempt(page) -> Attempt:
    page.goto(f"/quizzes/quiz/{QUIZ}/")
    with page.expect_navigation():
        page.click(f"form[action$='/quiz/{QUIZ}/start/'] button[type=submit]")
    assert re.search(r"/quizzes/attempts/\d+/$", page.url), page.url
    student = get_user_model().objects.get(username=DEMO_STUDENT[0])
    return Attempt.objects.get(student=student, quiz__slug=QUIZ)


def items_of_kind(attempt: Attempt, kind: str) -> list[AttemptItem]:
    return list(
        AttemptItem.objects.filter(attempt=attempt, item__kind=kind)
        .select_related("item")
        .order_by("position")
    )


def test_student_answers_calculation_and_symbolic_items_and_sees_feedback(page, demo_content, tmp_path):
    log_in(page, *DEMO_STUDENT)
    attempt = start_attempt(page)
    calculations = items_of_kind(attempt, "calculation")
    symbolics = items_of_kind(attempt, "symbolic")
    assert len(calculations) >= 2 and symbolics, (
        "the checkpoint quiz should draw 2 calculation items and 1 symbolic"
    )

    # First calculation item: the page must show this student's drawn values; answer it correctly.
    right = calculations[0]
    panel = page.locator(f"#item-{right.position}")
    # KaTeX renders each formula twice (visible HTML and MathML): read the TeX source once instead.
    stem_text = panel.locator(".stem").evaluate(
        """el => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll('.katex').forEach(k => {
                const tex = k.querySelector('annotation');
                k.replaceWith(' ' + (tex ? tex.textContent : '') + ' ');
            });
            return copy.textContent;
        }"""
    )
    shown = numbers_shown(stem_text)
    for name, value in right.variant["params"].items():
        assert any(abs(abs(float(value)) - number) <= 1e-9 * max(1.0, abs(value)) for number in shown), (
            f"drawn value {name}={value} is not on the page: {stem_text!r}"
        )
    panel.locator("input[name=answer]").fill(repr(float(right.variant["values"]["answer"])))
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()
    # Feedback comes at the end in this quiz: the answer is only saved for now, and no key leaks.
    panel = page.locator(f"#item-{right.position}")
    assert panel.locator(".saved").is_visible()
    assert panel.locator(".correct-answer").count() == 0

    # Second calculation item: answer with a known slip if the item lists one, else a wrong number.
    wrong = calculations[1]
    slips = wrong.variant.get("misconception_answers") or []
    wrong_answer = slips[0] if slips else float(wrong.variant["values"]["answer"]) * 3 + 7
    panel = page.locator(f"#item-{wrong.position}")
    panel.locator("input[name=answer]").fill(repr(float(wrong_answer)))
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()

    # Symbolic item: type an equivalent rewrite of the key, see it rendered by KaTeX before submitting.
    symbolic = symbolics[0]
    spec = symbolic.item.spec
    typed = equivalent_rewrite(spec["answer"], spec["symbols"])
    panel = page.locator(f"#item-{symbolic.position}")
    expression = panel.locator("input.expression-input")
    # A malformed expression is echoed as an error telling the student what to fix, not as math.
    expression.press_sequentially("(" + spec["symbols"][0] + " +", delay=5)
    panel.locator(".echo.has-error .echo-error").wait_for(state="visible")
    assert panel.locator(".echo .echo-error").text_content().strip()
    expression.fill("")
    expression.press_sequentially(typed, delay=5)
    panel.locator(".echo .echo-math .katex").wait_for(state="visible")
    assert panel.locator(".echo .echo-error").text_content().strip() == ""
    with page.expect_navigation():
        panel.locator("button.submit-answer").click()

    with page.expect_navigation():
        page.click("form.finish-form button[type=submit]")
    assert re.search(rf"/quizzes/attempts/{attempt.pk}/review/$", page.url), page.url

    def result_of(position: int):
        return page.locator(f"#item-{position} .feedback.result")

    assert "correct" in result_of(right.position).get_attribute("class").split()
    assert result_of(right.position).locator(".verdict").text_content().strip().startswith("Correct")
    wrong_result = result_of(wrong.position)
    assert "incorrect" in wrong_result.get_attribute("class").split()
    assert wrong_result.locator(".correct-answer").is_visible()
    if slips:
        assert wrong_result.locator(".misconception").is_visible()
    assert "correct" in result_of(symbolic.position).get_attribute("class").split()
    for position in (right.position, wrong.position, symbolic.position):
        explanation = result_of(position).locator("details.explanation")
        assert explanation.is_visible() and explanation.text_content().strip() != "Explanation"
        # The explanation's math is typeset in the browser, not left as raw $...$ source.
        assert explanation.locator(".katex").count() > 0 or "$" not in explanation.text_content()

    save_screenshot(page, tmp_path, "student-quiz-review")
