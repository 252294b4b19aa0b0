"""Unanswered items: their key and explanation appear in the review of a finished attempt, never before."""

import pytest
from django.urls import reverse

from quizzes.models import ItemVersion
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.services.pages import item_panels
from tests.quizzes.web.conftest import SPECS, explanation_marker


def finish_url(attempt):
    return reverse("quizzes:finish", args=[attempt.pk])


@pytest.mark.parametrize("kind", list(SPECS))
def test_review_shows_the_key_and_explanation_of_an_unanswered_item(
    kind, make_item, make_quiz, student, student_client
):
    make_item(kind)
    attempt = attempt_start(quiz=make_quiz(), student=student)
    review = student_client.post(finish_url(attempt), follow=True).content.decode()
    assert "Not answered" in review
    assert "was not answered" in review and "Correct answer:" in review
    assert explanation_marker(f"{kind}-item") in review


def test_review_of_an_unanswered_numeric_item_names_its_answer(make_item, make_quiz, student, student_client):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    review = student_client.post(finish_url(attempt), follow=True).content.decode()
    assert "0.0371" in review


def test_the_explanation_of_an_unanswered_calculation_is_filled_with_its_variant(
    make_item, make_quiz, student, student_client
):
    item = make_item("calculation")
    item.explanation = "The step is $\\eta g = {{answer}}$ here."
    item.save()
    attempt = attempt_start(quiz=make_quiz(), student=student)
    expected = attempt.attempt_items.get().variant["values"]["answer"]
    attempt_finish(attempt=attempt)
    (panel,) = item_panels(attempt)
    assert "{{answer}}" not in panel.missed.explanation
    assert float(panel.missed.explanation.split("= ")[1].split("$")[0]) == pytest.approx(expected)


@pytest.mark.parametrize("feedback_mode", ["immediate", "end"])
def test_keys_of_unanswered_items_stay_hidden_while_the_attempt_is_open(
    feedback_mode, make_item, make_quiz, student, student_client
):
    make_item("numeric")
    make_item("truefalse")
    attempt = attempt_start(quiz=make_quiz(feedback_mode=feedback_mode), student=student)
    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert explanation_marker("numeric-item") not in page and "0.0371" not in page
    assert explanation_marker("truefalse-item") not in page
    assert "Correct answer" not in page
    assert all(panel.missed is None for panel in item_panels(attempt))


def test_an_answered_item_gets_its_result_not_the_unanswered_block(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    student_client.post(reverse("quizzes:answer", args=[attempt.pk, 1]), {"answer": "0.0371"})
    review = student_client.post(finish_url(attempt), follow=True).content.decode()
    assert "was not answered" not in review and "Not answered" not in review
    (panel,) = item_panels(attempt)
    assert panel.missed is None and panel.result["status"] == "correct"


def test_an_item_broken_after_the_attempt_still_shows_its_explanation(
    make_item, make_quiz, student, student_client
):
    item = make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_finish(attempt=attempt)
    # The attempt keeps the version it drew, so only a broken version can break its review: one
    # stored before a validation rule existed, say (the answer is missing).
    broken = {**item.to_dict(), "tolerance": {"mode": "relative", "value": 1e-3}}
    broken.pop("answer", None)
    ItemVersion.objects.filter(attempt_items__attempt=attempt).update(data=broken)
    (panel,) = item_panels(attempt)
    assert panel.missed.correct_answer == ""
    assert panel.missed.explanation == explanation_marker("numeric-item")
