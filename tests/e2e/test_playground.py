"""The playground in a browser: two optimizers on one problem, their pictures, and a bad input."""

from __future__ import annotations

import base64
import re

import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.e2e


def svg_of(image) -> str:
    """The SVG document behind a playground figure (the page embeds it as a base64 data URI)."""
    source = image.get_attribute("src")
    prefix = "data:image/svg+xml;base64,"
    assert source.startswith(prefix), source[:80]
    return base64.b64decode(source[len(prefix) :]).decode("utf-8")


def assert_drawn(image) -> None:
    """The browser decoded the image and gave it a real size."""
    size = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] > 100 and size[2] > 100, size


def run_playground(page, *, problem: str, rows: list[tuple[str, str]], steps: int = 60) -> None:
    page.goto("/lab/")
    page.select_option("#id_problem", problem)
    page.fill("#id_steps", str(steps))
    page.fill("#id_start", "")
    for number in range(1, 5):
        optimizer, hp = rows[number - 1] if number <= len(rows) else ("", "")
        page.select_option(f"#id_opt{number}", optimizer)
        page.fill(f"#id_hp{number}", hp)
    with page.expect_navigation():
        page.click("form.lab-form button[type=submit]")


def test_playground_draws_two_optimizers_on_rosenbrock(page, live_server, tmp_path):
    run_playground(page, problem="rosenbrock", rows=[("momentum", "lr=0.001, beta=0.9"), ("adam", "lr=0.05")])

    assert page.locator("form.lab-form .errorlist").count() == 0
    contour, loss = page.locator(".lab-figures img").all()
    for image in (contour, loss):
        assert_drawn(image)
    contour_svg, loss_svg = svg_of(contour), svg_of(loss)
    assert contour_svg.lstrip().startswith(("<?xml", "<svg")) and "<svg" in contour_svg
    # Both runs are labelled in both figures (Matplotlib writes legend text as SVG comments/text).
    for label in ("momentum (lr=0.001, beta=0.9)", "adam (lr=0.05)"):
        assert label in contour_svg and label in loss_svg, label
    assert "log" in loss.get_attribute("alt").lower()

    results = page.locator(".lab-results tbody tr")
    assert results.count() == 2
    assert results.nth(0).locator("td").first.text_content().startswith("momentum")
    assert results.nth(1).locator("td").first.text_content().startswith("adam")
    # The form keeps what was asked for, so the visitor can tweak it.
    assert page.locator("#id_problem").input_value() == "rosenbrock"
    assert page.locator("#id_opt2").input_value() == "adam"
    save_screenshot(page, tmp_path, "playground-rosenbrock")


def test_playground_explains_a_hyperparameter_the_optimizer_does_not_take(page, live_server, tmp_path):
    run_playground(
        page, problem="ill-conditioned-quadratic", rows=[("sgd", "lr=0.4"), ("adam", "lr=0.1, beta=0.9")]
    )

    error = page.locator("form.lab-form .errorlist")
    assert error.first.is_visible()
    message = error.all_text_contents()
    assert any(re.search(r"\bbeta\b", text) for text in message), message
    # A rejected form draws nothing rather than a half-finished picture.
    assert page.locator(".lab-figures img").count() == 0
    assert page.locator("#id_hp2").input_value() == "lr=0.1, beta=0.9"
    save_screenshot(page, tmp_path, "playground-bad-hyperparameter")


def test_preset_link_compares_a_warmup_cosine_schedule_with_a_constant_lr(page, live_server, tmp_path):
    page.goto("/lab/")
    with page.expect_navigation():
        page.click("text=Adam with warmup + cosine vs constant lr on Rosenbrock")

    assert page.locator("form.lab-form .errorlist").count() == 0
    images = page.locator(".lab-figures img").all()
    assert len(images) == 3  # paths, loss, and the learning rate each update used
    for image in images:
        assert_drawn(image)
    lr_svg = svg_of(images[2])
    assert 'id="lr-0"' in lr_svg and 'id="lr-1"' in lr_svg
    assert "warmup-cosine(warmup_steps=30" in lr_svg
    schedule_cells = page.locator(".lab-results tbody tr td:nth-child(3)").all_text_contents()
    assert schedule_cells[0].strip() == "constant lr" and schedule_cells[1].startswith("warmup-cosine")
    # The form shows the schedule it ran, so the visitor can change it.
    assert page.locator("#id_sched2").input_value() == "warmup-cosine"
    assert page.locator("#id_sp2").input_value() == "warmup_steps=30"
    save_screenshot(page, tmp_path, "playground-schedule-preset")
