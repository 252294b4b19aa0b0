"""What quizzes announces, when, and with what; and that a failing listener stays its own problem."""

from collections.abc import Iterator

import pytest

from quizzes import events
from quizzes.models import AttemptStatus
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.item_store import item_save


class Heard:
    """A receiver that records the payloads it hears (a real connection to the real signal)."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []

    def __call__(self, sender, **payload) -> None:
        assert sender == events.QUIZZES
        payload.pop("signal")
        self.payloads.append(payload)


@pytest.fixture
def hear() -> Iterator:
    connected = []

    def connect(signal) -> Heard:
        heard = Heard()
        signal.connect(heard, weak=False)
        connected.append((signal, heard))
        return heard

    yield connect
    for signal, heard in connected:
        signal.disconnect(heard)


@pytest.fixture
def one_numeric_item_quiz(make_item, make_quiz):
    make_item("numeric")
    return make_quiz(rules=({"count": 1},))


def test_a_finished_attempt_is_announced_only_once_the_finish_commits(
    one_numeric_item_quiz, student, hear, django_capture_on_commit_callbacks
):
    finished = hear(events.attempt_finished)
    attempt = attempt_start(quiz=one_numeric_item_quiz, student=student)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        attempt_finish(attempt=attempt)
    assert finished.payloads == []  # nothing is said about a finish that might still roll back
    for callback in pending:
        callback()
    assert finished.payloads == [
        {"attempt_id": attempt.pk, "student_id": student.pk, "quiz_id": one_numeric_item_quiz.pk}
    ]


def test_the_scored_attempt_reaches_in_transaction_listeners_before_commit(
    one_numeric_item_quiz, student, hear, django_capture_on_commit_callbacks
):
    scored = hear(events.attempt_scored)
    attempt = attempt_start(quiz=one_numeric_item_quiz, student=student)
    with django_capture_on_commit_callbacks(execute=False):
        attempt_finish(attempt=attempt)
    [payload] = scored.payloads
    assert payload["attempt"].pk == attempt.pk and payload["attempt"].status == AttemptStatus.FINISHED


def test_finishing_twice_announces_once(
    one_numeric_item_quiz, student, hear, django_capture_on_commit_callbacks
):
    finished = hear(events.attempt_finished)
    attempt = attempt_start(quiz=one_numeric_item_quiz, student=student)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt)
        attempt_finish(attempt=attempt)
    assert len(finished.payloads) == 1


def test_a_failing_listener_neither_undoes_the_finish_nor_silences_the_others(
    one_numeric_item_quiz, student, hear, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **payload):
        raise RuntimeError("listener is down")

    events.attempt_finished.connect(broken, weak=False)
    try:
        finished = hear(events.attempt_finished)
        attempt = attempt_start(quiz=one_numeric_item_quiz, student=student)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_finish(attempt=attempt)
    finally:
        events.attempt_finished.disconnect(broken)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
    assert len(finished.payloads) == 1
    assert "listener is down" in caplog.text


def test_a_stored_answer_is_announced_and_a_typo_is_not(
    one_numeric_item_quiz, student, hear, django_capture_on_commit_callbacks
):
    checked = hear(events.answer_checked)
    attempt = attempt_start(quiz=one_numeric_item_quiz, student=student)
    attempt_item = attempt.attempt_items.get()
    with django_capture_on_commit_callbacks(execute=True):
        typo = attempt_answer(attempt_item=attempt_item, student=student, response="1..0")
    assert typo.status == "invalid" and checked.payloads == []
    with django_capture_on_commit_callbacks(execute=True):
        result = attempt_answer(attempt_item=attempt_item, student=student, response="0.0371")
    assert checked.payloads == [
        {
            "attempt_item_id": attempt_item.pk,
            "attempt_id": attempt.pk,
            "student_id": student.pk,
            "score": result.score,
        }
    ]


def test_the_apps_above_listen_from_start_up():
    # courses keeps item statistics in the finishing transaction; progress hears after commit.
    assert events.attempt_scored.has_listeners(events.QUIZZES)
    assert events.attempt_finished.has_listeners(events.QUIZZES)


def test_an_item_saved_from_the_authoring_pages_is_announced_after_commit(
    bank, hear, django_capture_on_commit_callbacks
):
    edited = hear(events.item_edited)
    data = {"key": "tf-1", "kind": "truefalse", "stem": "Adam keeps two moments.", "answer": True}
    with django_capture_on_commit_callbacks(execute=True):
        item = item_save(bank=bank, data=data)
    with django_capture_on_commit_callbacks(execute=True):
        item_save(bank=bank, data={**data, "stem": "Adam keeps two moment estimates."}, item=item)
    assert edited.payloads == [
        {"item_id": item.pk, "bank_id": bank.pk, "created": True},
        {"item_id": item.pk, "bank_id": bank.pk, "created": False},
    ]
