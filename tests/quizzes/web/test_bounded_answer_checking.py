"""A real web server keeps answering while hostile expressions are being checked.

`manage.py runserver` (threaded) runs as its own process on loopback, against a migrated SQLite
file; several clients send the issue's expressions to the preview and as answers over real HTTP,
while another asks for an ordinary page. (Django's in-process live server shares one in-memory
SQLite connection between its threads, which concurrent requests cannot use safely.)
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = [
    "(((10^100)^100)^100)^100",
    "exp(exp(exp(100*eta)))",
    r"\left(\left(\left(\left(10^{100}\right)^{100}\right)^{100}\right)^{100}\right)",
    "(((10**100)**100)**100)**100",
]
TOO_LARGE = "This expression is too large to evaluate; simplify it first."

SETUP = """
import json
from django.test import Client
from accounts.services import user_create
from quizzes.models import Bank, Item, Quiz, QuizRule
from quizzes.services.attempts import attempt_start
student = user_create(username="sam", password="student-pass-123")
bank = Bank.objects.create(slug="demo", name="Demo bank")
Item.objects.create(bank=bank, key="step", kind="symbolic", title="Step", stem="Write the step.",
                    spec={"symbols": ["beta", "eta", "g0"], "answer": "eta*g0/(1-beta)"})
quiz = Quiz.objects.create(slug="demo-quiz", title="Demo quiz")
QuizRule.objects.create(quiz=quiz, position=1, count=1)
attempt = attempt_start(quiz=quiz, student=student)
client = Client()
client.force_login(student)
print(json.dumps({"attempt": attempt.pk, "session": client.cookies["sessionid"].value}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, session: str, data: dict | None = None, csrf: str = "") -> tuple[int, str, float]:
    cookies = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookies, "Referer": url})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), time.monotonic() - started


def children_of(pid: int) -> set[int]:
    try:
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


@pytest.fixture
def server(tmp_path):
    """A runserver process with one student, one symbolic item and an attempt; stopped after."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "SECRET_KEY": "test-only-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    state = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    process = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
    try:
        yield {"base": base, "process": process, **state}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.mark.slow
def test_the_server_answers_a_page_within_a_second_while_hostile_answers_are_checked(server):
    base, session, attempt = server["base"], server["session"], server["attempt"]
    preview_url = f"{base}/quizzes/attempts/{attempt}/items/1/preview/"
    answer_url = f"{base}/quizzes/attempts/{attempt}/items/1/answer/"
    page_url = f"{base}/quizzes/"
    fetch(preview_url + "?text=eta", session)  # the server's workers are up
    _, page, _ = fetch(f"{base}/quizzes/attempts/{attempt}/", session)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    hostile_results: list[tuple[str, str, float]] = []
    errors: list[BaseException] = []

    def preview_hostile():
        try:
            for text in HOSTILE:
                _, body, seconds = fetch(f"{preview_url}?{urllib.parse.urlencode({'text': text})}", session)
                hostile_results.append(("preview", body, seconds))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    def answer_hostile():
        try:
            for text in HOSTILE:
                _, body, seconds = fetch(
                    answer_url, session, {"answer": text, "csrfmiddlewaretoken": csrf}, csrf
                )
                hostile_results.append(("answer", body, seconds))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    attackers = [threading.Thread(target=preview_hostile) for _ in range(3)]
    attackers.append(threading.Thread(target=answer_hostile))
    for thread in attackers:
        thread.start()
    page_times = []
    while any(thread.is_alive() for thread in attackers) or len(page_times) < 3:
        status, _, seconds = fetch(page_url, session)
        assert status == 200
        page_times.append(seconds)
    for thread in attackers:
        thread.join(10)

    assert not errors
    assert max(page_times) < 1, page_times
    assert len(hostile_results) == 4 * len(HOSTILE)
    assert max(seconds for _, _, seconds in hostile_results) < 2
    previews = [body for kind, body, _ in hostile_results if kind == "preview"]
    assert all(TOO_LARGE in body for body in previews)
    answers = [body for kind, body, _ in hostile_results if kind == "answer"]
    assert all("too large to evaluate" in body for body in answers)

    # Stopping the server ends its expression workers too.
    workers = children_of(server["process"].pid)
    assert workers
    server["process"].send_signal(signal.SIGINT)
    server["process"].wait(timeout=15)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
