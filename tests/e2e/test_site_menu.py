"""The site header on a 375 px phone: a Menu button that discloses the links (aria-expanded says
which), and without JavaScript a plain list of links that wraps to fit."""

from __future__ import annotations

import pytest

from accounts.services import user_create
from tests.e2e.conftest import log_in
from tests.e2e.site_pages import horizontal_overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
PASSWORD = "menu-pass-123"
LINKS = ("Quizzes", "Playground", "Exercises", "Progress", "Courses", "Authoring")


@pytest.fixture
def instructor(transactional_db):
    return user_create(username="menu-teacher", password=PASSWORD, instructor=True)


def phone(browser, live_server, *, javascript: bool):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_the_menu_button_discloses_the_links_on_a_phone(browser, live_server, instructor):
    context, page = phone(browser, live_server, javascript=True)
    try:
        log_in(page, instructor.username, PASSWORD)
        page.goto("/")
        button = page.get_by_role("button", name="Menu")
        assert button.is_visible()
        assert button.get_attribute("aria-expanded") == "false"
        assert not page.locator("nav[aria-label=Site]").get_by_role("link", name="Exercises").is_visible()

        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        for name in LINKS:
            assert page.locator("nav[aria-label=Site]").get_by_role("link", name=name).is_visible(), name
        assert page.get_by_role("button", name="Log out").is_visible()
        assert horizontal_overflow(page) is None

        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("() => document.activeElement.classList.contains('nav-toggle')")
        assert not page.locator("nav[aria-label=Site]").get_by_role("link", name="Exercises").is_visible()
    finally:
        context.close()


def test_without_javascript_the_links_wrap_on_a_phone(browser, live_server, instructor):
    context, page = phone(browser, live_server, javascript=False)
    try:
        log_in(page, instructor.username, PASSWORD)
        page.goto("/")
        assert not page.get_by_role("button", name="Menu").is_visible()
        for name in LINKS:
            link = page.locator("nav[aria-label=Site]").get_by_role("link", name=name)
            box = link.bounding_box()
            assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
        assert page.get_by_role("button", name="Log out").is_visible()
        assert horizontal_overflow(page) is None
    finally:
        context.close()


def test_the_menu_is_a_plain_row_of_links_on_a_desktop(page, instructor):
    log_in(page, instructor.username, PASSWORD)
    page.goto("/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.locator("nav[aria-label=Site]").get_by_role("link", name="Exercises").is_visible()
