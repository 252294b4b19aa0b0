"""The gradebook pages (a student's own grades, the staff's gradebook, a cell with its extension and
override forms, the audit log, an attempt as the staff read it, the assignment's grading settings)
fit a 375 px phone and have no accessibility violation, as the student and as the instructor.

The same pages are part of the every-page audit (`test_every_page.py`); this file audits only them,
for a quick run after changing them: `pytest -m e2e -k gradebook_pages`.
"""

from __future__ import annotations

import pytest

from tests.e2e.site_pages import (
    axe_violations,
    build_world,
    describe,
    horizontal_overflow,
    log_in_as,
    pages_for,
)

pytestmark = pytest.mark.e2e

GRADEBOOK_PAGES = (
    "courses:my_grades",
    "courses:gradebook",
    "courses:grade_cell",
    "courses:grade_changes",
    "courses:student_attempt",
    "courses:assignment_edit",
    "courses:detail",
    "gradebook cell of a student without work",
)
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", ["student", "instructor"])
def test_gradebook_pages_fit_a_phone_and_pass_axe(browser, live_server, world, role, viewport):
    pages = [page for page in pages_for(role, world) if page.name in GRADEBOOK_PAGES]
    expected = (
        {"courses:my_grades", "courses:detail"}
        if role == "student"
        else set(GRADEBOOK_PAGES) - {"courses:my_grades"}
    )
    assert {page.name for page in pages} == expected
    size = VIEWPORTS[viewport]
    context = browser.new_context(base_url=live_server.url, viewport=size, bypass_csp=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems = []
    try:
        log_in_as(tab, role, world)
        for site_page in pages:
            response = tab.goto(site_page.path)
            assert response is not None and response.ok, f"{site_page.path}: {response and response.status}"
            overflow = horizontal_overflow(tab)
            if overflow and viewport == "phone":
                problems.append(f"{site_page.name}: {overflow} px wider than the screen")
            violations = axe_violations(tab)
            print(
                f"{role}, {viewport}: {sum(len(v['nodes']) for v in violations)} axe violations on {site_page.path}"
            )
            if violations:
                problems.append(f"{site_page.name}: {describe(violations)}")
    finally:
        context.close()
    assert not problems, "\n  ".join(problems)
