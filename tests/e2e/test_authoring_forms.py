"""An instructor writes items with the per-kind forms in a real browser: with JavaScript the preview
updates in place as the formula changes; without it, every button still works by posting the page.
The form of every kind, with errors on it, fits a 375 px phone and axe-core finds no violation."""

from __future__ import annotations

import math

import pytest
from django.urls import reverse

from quizzes.models import Bank, Item
from tests.e2e.conftest import log_in
from tests.e2e.site_pages import ALL_KINDS, axe_violations, describe, horizontal_overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
PASSWORD = "pass-word-123"


@pytest.fixture
def author(transactional_db):
    from accounts.services import user_create

    user = user_create(username="ada", password=PASSWORD, instructor=True)
    Bank.objects.create(slug="forms-bank", name="Forms bank", owner=user)
    return user


def create_url() -> str:
    return reverse("quizzes:author_item_create", kwargs={"slug": "forms-bank"})


def new_context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    return context


def fill_calculation(page) -> None:
    page.fill("#id_key", "sgd-step")
    page.fill("#id_stem", "With $\\eta = {{eta}}$ and $g = {{g}}$, how large is the step?")
    page.fill("#id_explanation", "The step is {{answer}}.")


def test_author_preview_updates_in_place_with_the_computed_key(browser, live_server, author):
    context = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, "ada", PASSWORD)
        page.goto(create_url() + "?kind=calculation")
        fill_calculation(page)
        url = page.url
        page.click("#preview-button")
        page.wait_for_selector("#item-preview .key-view")
        assert page.url == url  # no navigation: the preview came in place
        params = {}
        for line in page.locator("#item-preview .key-view ul.values li").all_text_contents():
            name, _, value = line.partition("=")
            params[name.strip()] = float(value)
        assert math.isclose(
            float(page.locator("#item-preview .key").text_content()), params["eta"] * params["g"]
        )
        # Typing a new formula refreshes the key by itself.
        page.fill("#id_spec-answer_expr", "2 * eta * g")
        page.wait_for_function(
            "(expected) => { const key = document.querySelector('#item-preview .key');"
            " return key && Math.abs(parseFloat(key.textContent) - expected) < 1e-9 * expected; }",
            arg=2 * params["eta"] * params["g"],
        )
        assert not Item.objects.exists()
        with page.expect_navigation():
            page.click("form#item-form .form-toolbar button[value=save]")
        assert Item.objects.get(key="sgd-step").spec["answer"] == {"expr": "2 * eta * g"}
    finally:
        context.close()


def test_author_form_works_without_javascript(browser, live_server, author):
    context = new_context(
        browser, live_server, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, "ada", PASSWORD)
        page.goto(create_url() + "?kind=ordering")
        page.fill("#id_key", "tuning-order")
        page.fill("#id_stem", "Order the steps.")
        page.fill("#id_explanation", "Logs first.")
        before = page.locator(".kind-row").count()
        with page.expect_navigation():
            page.click("button[value=more]")
        assert page.locator(".kind-row").count() == before + 3
        assert page.input_value("#id_key") == "tuning-order"
        with page.expect_navigation():
            page.click("#preview-button")
        assert "(not saved)" in page.locator("#item-preview h2").first.text_content()
        with page.expect_navigation():
            page.click("button[value=to_yaml]")
        assert "steps:" in page.input_value("#id_spec")
        with page.expect_navigation():
            page.click("button[value=to_fields]")
        with page.expect_navigation():
            page.click("form#item-form .form-toolbar button[value=save]")
        assert Item.objects.get(key="tuning-order").kind == "ordering"
    finally:
        context.close()


def test_author_forms_of_every_kind_fit_a_phone_and_pass_axe(browser, live_server, author):
    context = new_context(browser, live_server, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    problems = []
    try:
        log_in(page, "ada", PASSWORD)
        addresses = [f"{create_url()}?kind={kind}" for kind in ALL_KINDS] + [f"{create_url()}?mode=yaml"]
        for address in addresses:
            page.goto(address)
            problems += _audit(page, address)
        # A form sent back with errors at its fields, and a preview below it.
        page.goto(create_url() + "?kind=numeric")
        page.fill("#id_key", "momentum-window")
        page.fill("#id_stem", "How many gradients does momentum average over?")
        page.fill("#id_explanation", "About 1 / (1 - beta).")
        page.fill("#id_spec-tolerance_value", "-1")
        with page.expect_navigation():
            page.click("form#item-form .form-toolbar button[value=save]")
        assert page.locator(".field-error").count() >= 1
        problems += _audit(page, "numeric form with errors")
        page.goto(create_url() + "?kind=calculation")
        fill_calculation(page)
        page.click("#preview-button")
        page.wait_for_selector("#item-preview .key-view")
        problems += _audit(page, "calculation form with its preview")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _audit(page, where: str) -> list[str]:
    problems = []
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(f"{where}: {overflow} px wider than the screen")
    violations = axe_violations(page)
    if violations:
        problems.append(f"{where}: {describe(violations)}")
    return problems
