"""The demo instructor previews a calculation template and flips through its variants by seed."""

from __future__ import annotations

import math
import re

import pytest

from tests.e2e.conftest import DEMO_INSTRUCTOR, log_in, save_screenshot

pytestmark = pytest.mark.e2e

BANK = "calc-sgd-stability"
ITEM = "sgd-update-size"  # answer: the step size lr * g, recomputed here to check what the page shows


def expected_step(params: dict[str, float]) -> float:
    return params["lr"] * params["g"]


def drawn_parameters(page) -> dict[str, float]:
    """The 'Drawn parameters' list of the key panel, as numbers."""
    params = {}
    for line in page.locator(".key-view ul.values li").all_text_contents():
        name, _, value = line.partition("=")
        params[name.strip()] = float(value)
    return params


def shown_key(page) -> float:
    return float(page.locator(".key-view .key").text_content().strip())


def show_seed(page, seed: int) -> None:
    page.fill("#id_seed", str(seed))
    with page.expect_navigation():
        page.click("form.seed-form button[type=submit]")
    assert page.locator(".key-view h2").text_content().strip() == f"Key for seed {seed}"


def test_instructor_previews_calculation_item_with_different_seeds(page, demo_content, tmp_path):
    log_in(page, *DEMO_INSTRUCTOR)
    page.goto("/quizzes/author/")
    with page.expect_navigation():
        page.click(f"a[href='/quizzes/author/banks/{BANK}/']")
    with page.expect_navigation():
        page.click(f"a[href='/quizzes/author/banks/{BANK}/items/{ITEM}/']")
    assert ITEM in page.locator("h1").text_content()

    seen = {}
    for seed in range(1, 12):
        show_seed(page, seed)
        params = drawn_parameters(page)
        assert set(params) == {"lr", "g"}
        assert math.isclose(shown_key(page), expected_step(params), rel_tol=1e-9)
        # The student's view of this variant shows the same drawn values in its stem.
        stem = page.locator(".student-view .stem").text_content()
        for value in params.values():
            assert re.search(rf"(?<![\d.]){re.escape(format(value, 'g'))}(?![\d])", stem), (value, stem)
        seen[seed] = (params["lr"], params["g"])
        if len(set(seen.values())) >= 3:
            break
    assert len(set(seen.values())) >= 3, f"eleven seeds gave fewer than three different variants: {seen}"

    # The variants table lists consecutive seeds, each with its own parameters and key.
    rows = page.locator(".variants tbody tr")
    assert rows.count() >= 3
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        params = {
            name.strip(): float(value)
            for name, _, value in (
                text.partition("=") for text in cells.nth(1).locator("div").all_text_contents()
            )
        }
        assert math.isclose(float(cells.nth(3).text_content().strip()), expected_step(params), rel_tol=1e-9)

    # Checking an answer against the variant on screen: the key itself is judged correct.
    page.fill(".try-it input[name=answer]", repr(shown_key(page)))
    with page.expect_navigation():
        page.click(".try-it button[type=submit]")
    assert page.locator(".try-result h2 .correct").is_visible()

    save_screenshot(page, tmp_path, "instructor-item-preview")
