"""The API's OpenAPI schema: valid, and equal to the committed snapshot docs/api/openapi.json.

After a deliberate change to the API, refresh the snapshot (see docs/api.md):

    python manage.py export_openapi_schema --api api.api.api --output docs/api/openapi.json --indent 2 --sorted
"""

import json
import re
from pathlib import Path

from django.test import Client
from openapi_spec_validator import validate

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_the_served_schema_is_valid_openapi_3(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on anything the OpenAPI 3 specification does not allow


def test_the_served_schema_matches_the_committed_snapshot(db):
    served = Client().get("/api/v1/openapi.json").json()
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert served == committed, (
        "The API's schema differs from docs/api/openapi.json. If the change is intended, refresh the "
        "snapshot: python manage.py export_openapi_schema --api api.api.api "
        "--output docs/api/openapi.json --indent 2 --sorted"
    )


def test_the_schema_documents_both_ways_to_authenticate(db):
    schemes = Client().get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert {(s["type"], s.get("scheme") or s.get("in")) for s in schemes.values()} == {
        ("http", "bearer"),
        ("apiKey", "cookie"),
    }


def test_the_docs_page_loads_its_assets_from_the_site_itself(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources
    # No inline script to allow: the page's only <script> bodies are JSON data.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline), inline
    # "Try it out" from a logged-in browser sends the CSRF token the session needs.
    assert 'data-api-csrf="true"' in html
