"""The demo student submits Adam twice: once without bias correction (diagnosed, with plots), then
correctly (passes). A real grading worker loop drains the queue between the two, in this process:
the in-memory SQLite test database is shared with the live server's thread, not with subprocesses.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEMO_STUDENT, GRADING_TIMEOUT_MS, log_in, save_screenshot

pytestmark = pytest.mark.e2e

ADAM_WITHOUT_BIAS_CORRECTION = """\
import numpy as np

def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params)}

def step(params, grads, state, *, lr, beta1, beta2, eps):
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    return params - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}
"""

# Written in the in-place style PyTorch uses, which the grader must accept as well.
ADAM_CORRECT = """\
import numpy as np

def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

def step(params, grads, state, *, lr, beta1, beta2, eps):
    state["t"] += 1
    t = state["t"]
    state["m"] *= beta1
    state["m"] += (1 - beta1) * grads
    state["v"] *= beta2
    state["v"] += (1 - beta2) * grads**2
    m_hat = state["m"] / (1 - beta1**t)
    v_hat = state["v"] / (1 - beta2**t)
    params -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, state
"""


def set_editor_text(page, source: str) -> None:
    """Replace the editor's content as a student would: select all, then paste."""
    editor = page.locator(".cm-editor .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    typed = page.evaluate(
        "() => CM.EditorView.findFromDOM(document.querySelector('.cm-editor')).state.doc.toString()"
    )
    assert typed == source, "the editor changed the pasted code"


def submit_and_grade(page, source: str, grading_worker) -> None:
    set_editor_text(page, source)
    with page.expect_navigation():
        page.click("form.submit-form button[type=submit]")
    assert re.search(r"/grading/submissions/\d+/$", page.url), page.url
    # Not graded yet: the page says so and polls; the worker then grades, and the page updates itself.
    page.locator("#result [data-status-label]").wait_for(state="visible")
    grading_worker()
    page.locator("#result .result .verdict").wait_for(state="visible", timeout=GRADING_TIMEOUT_MS)


def test_student_gets_adam_diagnosed_then_passes(page, demo_content, grading_worker, tmp_path):
    log_in(page, *DEMO_STUDENT)
    page.goto("/grading/")
    with page.expect_navigation():
        page.click("a[href='/grading/adam/']")
    assert page.locator(".statement").is_visible()

    submit_and_grade(page, ADAM_WITHOUT_BIAS_CORRECTION, grading_worker)
    verdict = page.locator("#result .verdict")
    assert "verdict-failed" in verdict.get_attribute("class")
    mistake = page.locator("#result .diagnosis [data-mistake='missing-bias-correction']")
    assert mistake.is_visible(), page.locator("#result").inner_text()[:1000]
    assert "bias" in mistake.text_content().lower()
    # Plots of the student's trajectory against the reference, drawn inline as SVG.
    plots = page.locator("#result .plots svg")
    assert plots.count() >= 2
    assert plots.first.bounding_box()["width"] > 100
    assert page.locator("#result .problem-table tr.departs").count() >= 1
    save_screenshot(page, tmp_path, "adam-missing-bias-correction")

    page.goto("/grading/adam/")
    submit_and_grade(page, ADAM_CORRECT, grading_worker)
    verdict = page.locator("#result .verdict")
    assert "verdict-passed" in verdict.get_attribute("class"), page.locator("#result").inner_text()[:1000]
    assert verdict.locator("h2").text_content().strip().startswith("Passed")
    assert page.locator("#result .diagnosis").count() == 0
    # The history lists both submissions, newest graded as passed.
    assert page.locator("table.history tbody tr").count() >= 2
    save_screenshot(page, tmp_path, "adam-passed")
