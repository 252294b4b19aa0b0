"""The API's docs page in a browser: Swagger UI draws every endpoint from the site's own files."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_api_docs_page_lists_every_endpoint_without_outside_requests(page, live_server, db):
    outside, errors = [], []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock")
    schema = page.request.get("/api/v1/openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    assert page.locator(".opblock").count() == operations
    assert "Descent API" in page.locator(".title").first.inner_text()
    assert outside == [] and errors == []
