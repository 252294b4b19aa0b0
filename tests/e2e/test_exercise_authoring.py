"""An instructor previews an exercise they wrote on a phone, in the student's code editor: the code
is queued, the page waits and reloads itself while a real worker loop grades it in the sandbox, the
verdict is shown on the page (fitting 375 px, no axe violation), and no submission is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.site_pages import axe_violations, build_world, describe, horizontal_overflow, log_in_as
from tests.e2e.test_code_exercise import set_editor_text

pytestmark = pytest.mark.e2e

SGD_WITHOUT_LR = """def init_state(params):
    return {}

def step(params, grads, state, *, lr):
    return params - grads, state
"""


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_an_instructor_previews_their_exercise_on_a_phone(browser, live_server, world, grading_worker):
    from grading.models import Submission

    stored = Submission.objects.count()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, bypass_csp=True
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        log_in_as(page, "instructor", world)
        page.goto(reverse("grading:author_exercise_preview", args=[world.authored.slug]))
        set_editor_text(page, SGD_WITHOUT_LR)
        with page.expect_navigation():
            page.click("form.submit-form button[type=submit]")
        page.locator(".preview-pending").wait_for(state="visible")
        grading_worker()
        verdict = page.locator(".verdict")  # the page reloads itself until the result is in
        assert "Not yet right" in verdict.inner_text()
        assert "The learning rate is not applied" in page.locator(".diagnosis").inner_text()
        assert horizontal_overflow(page) is None
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        context.close()
    assert Submission.objects.count() == stored
