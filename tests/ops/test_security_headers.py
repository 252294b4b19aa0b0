"""Content-Security-Policy, Permissions-Policy and a page set that needs no inline script."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_pages_forbid_inline_and_foreign_scripts(client):
    policy = directives(client.get("/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_pages_deny_browser_features_they_never_use(client):
    header = client.get("/")["Permissions-Policy"]
    assert "camera=()" in header and "microphone=()" in header and "geolocation=()" in header


def test_no_template_has_an_inline_script_or_event_handler():
    """script-src 'self' would silently break such a page: scripts belong in static files."""
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if not re.search(r"\bsrc=", tag):
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
        for handler in re.findall(r"<[^>]*\son[a-z]+\s*=", text, flags=re.I):
            offenders.append(f"{template.relative_to(ROOT)}: {handler}")
        if re.search(r"href=[\"']\s*javascript:", text, flags=re.I):
            offenders.append(f"{template.relative_to(ROOT)}: javascript: link")
    assert offenders == []
