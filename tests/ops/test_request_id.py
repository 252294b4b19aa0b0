"""Every response carries a request id, which every log line written for that request carries too."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops.request_id import RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def request_log(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO, logger="descent.request")
    return caplog


def test_each_response_gets_a_fresh_request_id(client, request_log):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    logged = [r for r in request_log.records if r.name == "descent.request"]
    assert [r.request_id for r in logged] == [first, second]
    assert logged[0].status == 200 and logged[0].path == "/"


def test_a_sane_incoming_request_id_is_kept(client, request_log):
    response = client.get("/", headers={"X-Request-ID": "7f1c2a9e-proxy-0042"})
    assert response["X-Request-ID"] == "7f1c2a9e-proxy-0042"
    assert request_log.records[-1].request_id == "7f1c2a9e-proxy-0042"


@pytest.mark.parametrize(
    "hostile",
    ["short", "x" * 200, "abc def ghi jkl", "id\nforged-log-line", '"},{"level":"CRITICAL'],
    ids=repr,
)
def test_an_insane_incoming_request_id_is_replaced(client, hostile):
    response = client.get("/", headers={"X-Request-ID": hostile})
    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32


def test_logs_are_json_lines_with_the_request_id_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "LOG_FORMAT"}}
    env.update(SECRET_KEY="test-only-secret", ALLOWED_HOSTS="testserver")
    script = (
        "import django, logging; django.setup();"
        "from ops.request_id import current_request_id;"
        "current_request_id.set('req-12345678');"
        "logging.getLogger('descent.test').warning('grading queue is %s', 'deep')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["message"] == "grading queue is deep"
    assert line["level"] == "WARNING" and line["logger"] == "descent.test"
    assert line["request_id"] == "req-12345678"
