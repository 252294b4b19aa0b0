"""A real web server keeps answering while hostile expressions are being checked.

Django's live server (a threaded WSGI server on loopback) serves real HTTP: several clients send
the issue's expressions to the preview and as answers, while another asks for an ordinary page.
"""

import re
import threading
import time
import urllib.parse
import urllib.request

import pytest
from django.urls import reverse

from quizzes.engine import isolation
from quizzes.engine.expressions import TOO_LARGE_MESSAGE
from quizzes.services.attempts import attempt_start

HOSTILE = [
    "(((10^100)^100)^100)^100",
    "exp(exp(exp(100*eta)))",
    r"\left(\left(\left(\left(10^{100}\right)^{100}\right)^{100}\right)^{100}\right)",
    "(((10**100)**100)**100)**100",
]


def fetch(url: str, session: str, data: dict | None = None, csrf: str = "") -> tuple[int, str, float]:
    cookies = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookies, "Referer": url})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_the_server_answers_a_page_within_a_second_while_hostile_answers_are_checked(
    live_server, make_item, make_quiz, student, client
):
    make_item("symbolic")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    client.force_login(student)
    session = client.cookies["sessionid"].value
    base = live_server.url
    preview_url = base + reverse("quizzes:preview_expression", args=[attempt.pk, 1])
    answer_url = base + reverse("quizzes:answer", args=[attempt.pk, 1])
    page_url = base + reverse("quizzes:list")
    isolation.warm()
    fetch(preview_url + "?text=eta", session)  # the workers are up

    status, page, _ = fetch(base + reverse("quizzes:attempt", args=[attempt.pk]), session)
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
                    answer_url, session, {"answer": text, "csrfmiddlewaretoken": csrf}, csrf=csrf
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
    assert all(TOO_LARGE_MESSAGE in body for body in previews)
    answers = [body for kind, body, _ in hostile_results if kind == "answer"]
    assert all("too large to evaluate" in body for body in answers)
