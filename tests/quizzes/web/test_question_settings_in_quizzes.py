"""Question settings at work in quizzes: weight in the attempt's score, hidden items, combined feedback."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.versions import item_version_current, regrade_apply

NOW = timezone.now().replace(microsecond=0)


def _answer(attempt, student, kind, response):
    attempt_item = attempt.attempt_items.get(item__kind=kind)
    return attempt_answer(attempt_item=attempt_item, student=student, response=response, now=NOW)


def test_an_items_weight_is_its_share_of_the_attempt_score(make_item, make_quiz, student):
    make_item("numeric", weight=3)
    make_item("truefalse")
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)

    _answer(attempt, student, "numeric", "0.0371")  # right, weight 3
    _answer(attempt, student, "truefalse", "false")  # wrong, weight 1
    attempt_finish(attempt=attempt, now=NOW)

    assert attempt.raw_score == pytest.approx(0.75)  # unweighted it would be 0.5


def test_items_of_weight_zero_only_count_when_every_item_weighs_zero(make_item, make_quiz, student):
    make_item("numeric", weight=0)
    make_item("truefalse", weight=0)
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)

    _answer(attempt, student, "numeric", "0.0371")
    attempt_finish(attempt=attempt, now=NOW)

    assert attempt.raw_score == pytest.approx(0.5)


def test_a_regrade_recomputes_the_attempt_score_with_the_weights(make_item, make_quiz, student, bank):
    bank.owner = user_create(username="olga", password="pass-word-123", instructor=True)
    bank.save()
    numeric = make_item("numeric", weight=3)
    make_item("truefalse")
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)
    _answer(attempt, student, "numeric", "0.05")  # wrong now, right after the corrected key
    _answer(attempt, student, "truefalse", "true")  # right, weight 1
    attempt_finish(attempt=attempt, now=NOW)
    assert attempt.raw_score == pytest.approx(0.25)

    numeric.spec = {**numeric.spec, "answer": 0.05}
    numeric.save()
    regrade_apply(item=numeric, to_version=item_version_current(item=numeric), by=bank.owner)

    attempt.refresh_from_db()
    assert attempt.raw_score == pytest.approx(1.0)


def test_a_hidden_item_is_never_drawn_into_an_attempt(make_item, make_quiz, student):
    make_item("numeric")
    make_item("truefalse", hidden=True)

    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)

    assert list(attempt.attempt_items.values_list("item__kind", flat=True)) == ["numeric"]


def test_combined_feedback_follows_the_verdict(make_item, make_quiz, student):
    feedback = {"correct": "Right, and well argued.", "incorrect": "Revisit the accumulator."}
    make_item("truefalse", combined_feedback=feedback)
    make_item("numeric", combined_feedback=feedback)
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)

    wrong = _answer(attempt, student, "truefalse", "false")
    right = _answer(attempt, student, "numeric", "0.0371")

    assert wrong.feedback[-1] == "Revisit the accumulator."
    assert right.feedback == ["Right, and well argued."]


def test_the_attempt_page_shows_combined_feedback_accepted_units_and_a_horizontal_order(
    make_item, make_quiz, student, student_client
):
    units = {
        "units": [{"unit": "m", "multiplier": 1}, {"unit": "cm", "multiplier": 100}],
        "grading": "response",
    }
    make_item("numeric", unit_options=units, combined_feedback={"correct": "Measured well."}, answer=1.5)
    make_item("ordering", layout="horizontal")
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)
    page = reverse("quizzes:attempt", args=[attempt.pk])

    html = student_client.get(page).content.decode()
    assert "then its unit: m, cm" in html
    assert 'class="ordering horizontal"' in html

    position = attempt.attempt_items.get(item__kind="numeric").position
    answered = student_client.post(
        reverse("quizzes:answer", args=[attempt.pk, position]), {"answer": "150 cm"}, follow=True
    )
    assert "Measured well." in answered.content.decode()
