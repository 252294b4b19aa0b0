"""Every page, as each role, on a 375 px phone and on a desktop: it fits the screen and axe-core finds
no accessibility violation of any impact.

The pages come from `tests/e2e/site_pages.py` (every URL pattern of the permission table that the
role may GET, plus pages with content: an attempt holding every item kind, a review, graded
submissions, the playground's results). Run with `-s` to see axe's count per page.
"""

from __future__ import annotations

import pytest

from tests.e2e.site_pages import (
    ROLES,
    axe_violations,
    build_world,
    describe,
    horizontal_overflow,
    log_in_as,
    pages_for,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(transactional_db):
    return build_world()


def audit(browser, live_server, world, role: str, viewport: dict) -> tuple[list[str], dict[str, int]]:
    # axe-core is injected by the test, as an inline script the site's CSP rightly refuses: only the
    # audit's own browser context bypasses the policy (every other e2e test runs under it).
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems, totals = [], {}
    try:
        log_in_as(page, role, world)
        for site_page in pages_for(role, world):
            response = page.goto(site_page.path)
            assert response is not None and response.ok, (
                f"{site_page.path} as {role}: {response and response.status}"
            )
            where = f"{site_page.name} ({site_page.path})"
            overflow = horizontal_overflow(page)
            if overflow:
                problems.append(f"{where}: {overflow} px wider than the {viewport['width']} px screen")
            violations = axe_violations(page)
            totals[where] = sum(len(v["nodes"]) for v in violations)
            if violations:
                problems.append(f"{where}: {describe(violations)}")
    finally:
        context.close()
    print(f"\naxe-core, {role}, {viewport['width']} px: violations (nodes) per page")
    for where, count in totals.items():
        print(f"  {count:4d}  {where}")
    print(f"  {sum(totals.values()):4d}  total over {len(totals)} pages")
    return problems, totals


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_has_no_accessibility_violation(browser, live_server, world, role):
    problems, totals = audit(browser, live_server, world, role, PHONE)
    assert len(totals) >= 5
    assert not problems, f"as {role} at 375 px:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_accessibility_violation_on_a_desktop(browser, live_server, world, role):
    problems, _ = audit(browser, live_server, world, role, DESKTOP)
    # Desktop pages are wide enough for everything; only axe's findings count here.
    problems = [problem for problem in problems if "px wider than" not in problem]
    assert not problems, f"as {role} at 1280 px:\n  " + "\n  ".join(problems)
