"""Quiz-taking that never loses work: drafts, Finish, answers that change until Finish, the review.

Service-level tests call quizzes.services.attempts directly; page tests go through the test client.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AttemptStatus
from quizzes.services.attempts import (
    MAX_DRAFT_CHARS,
    AlreadyAnswered,
    AttemptClosed,
    AttemptError,
    attempt_answer,
    attempt_finish,
    attempt_save_draft,
    attempt_start,
    unanswered_positions,
)
from quizzes.services.pages import MULTIPLE_SCORING_RULE, item_panels, rendered_item
from quizzes.services.responses import MAX_TEXT_LENGTH
from tests.quizzes.web.conftest import explanation_marker

NOW = timezone.now().replace(microsecond=0)


def draft_url(attempt, position=1):
    return reverse("quizzes:draft", args=[attempt.pk, position])


def answer_url(attempt, position=1):
    return reverse("quizzes:answer", args=[attempt.pk, position])


def finish_url(attempt):
    return reverse("quizzes:finish", args=[attempt.pk])


def first_item(attempt):
    return attempt.attempt_items.select_related("attempt__quiz", "item__bank", "version").get(position=1)


# --- drafts ------------------------------------------------------------------------------------


def test_a_draft_is_stored_but_not_an_answer(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_save_draft(attempt_item=first_item(attempt), student=student, response="0.0371", now=NOW)
    row = first_item(attempt)
    assert (row.draft, row.draft_saved_at) == ("0.0371", NOW)
    assert row.answered_at is None and row.result is None and row.score is None


def test_with_immediate_feedback_a_draft_reveals_nothing_before_submit(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="immediate"), student=student)
    reply = student_client.post(draft_url(attempt), {"answer": "0.0371"})
    assert reply.status_code == 200 and reply.json()["ok"] is True
    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'value="0.0371"' in page  # the typed text comes back in its box
    assert "Correct answer" not in page and explanation_marker("numeric-item") not in page


def test_a_draft_of_someone_elses_attempt_is_refused(make_item, make_quiz, student, second_student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    with pytest.raises(AttemptError):
        attempt_save_draft(attempt_item=first_item(attempt), student=second_student, response="1")
    assert first_item(attempt).draft is None


def test_a_draft_larger_than_the_bound_is_refused(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    with pytest.raises(AttemptError, match="too long"):
        attempt_save_draft(attempt_item=first_item(attempt), student=student, response="9" * MAX_DRAFT_CHARS)
    assert first_item(attempt).draft is None


def test_a_draft_posted_through_the_page_is_cut_to_the_text_limit(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    reply = student_client.post(draft_url(attempt), {"answer": "1" * 100_000})
    assert reply.status_code == 200
    assert first_item(attempt).draft == "1" * MAX_TEXT_LENGTH


def test_a_draft_after_the_deadline_is_refused_and_the_attempt_closes(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(time_limit_minutes=5), student=student, now=NOW)
    with pytest.raises(AttemptClosed):
        attempt_save_draft(
            attempt_item=first_item(attempt), student=student, response="1", now=NOW + timedelta(minutes=6)
        )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED


def test_a_draft_for_an_answered_item_is_refused_with_immediate_feedback(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="immediate"), student=student)
    attempt_answer(attempt_item=first_item(attempt), student=student, response="5")
    with pytest.raises(AlreadyAnswered):
        attempt_save_draft(attempt_item=first_item(attempt), student=student, response="0.0371")


@pytest.mark.usefixtures("throttles_on")
def test_drafts_are_rate_limited_with_a_json_answer(make_item, make_quiz, student, student_client, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "draft": {"user": "2/d", "anonymous": None}}
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    codes = [student_client.post(draft_url(attempt), {"answer": str(n)}).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    refused = student_client.post(draft_url(attempt), {"answer": "4"})
    assert refused["Retry-After"] and refused.json()["ok"] is False
    assert first_item(attempt).draft == "1"


# --- Finish ------------------------------------------------------------------------------------


@pytest.mark.parametrize("feedback_mode", ["immediate", "end"])
def test_a_typed_but_not_submitted_answer_counts_at_finish(feedback_mode, make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode=feedback_mode), student=student)
    attempt_save_draft(attempt_item=first_item(attempt), student=student, response="0.0371")
    attempt_finish(attempt=attempt)
    row = first_item(attempt)
    assert row.answered_at is not None and row.response == "0.0371" and row.score == 1.0
    assert row.draft is None
    assert attempt.score == 1.0


def test_an_unreadable_draft_stays_unanswered_at_finish_and_the_review_says_why(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_save_draft(attempt_item=first_item(attempt), student=student, response="zero point four")
    attempt_finish(attempt=attempt)
    row = first_item(attempt)
    assert row.answered_at is None and row.score == 0.0
    assert attempt.score == 0.0
    review = student_client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "You typed <code>zero point four</code>, which could not be read" in review


def test_with_immediate_feedback_finish_never_replaces_a_submitted_answer(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="immediate"), student=student)
    attempt_answer(attempt_item=first_item(attempt), student=student, response="5")
    row = first_item(attempt)
    row.draft = "0.0371"  # a draft cannot be saved now; even one written behind the service's back
    row.save(update_fields=["draft"])
    attempt_finish(attempt=attempt)
    assert first_item(attempt).response == "5" and attempt.score == 0.0


def test_a_draft_saved_before_the_deadline_counts_when_the_attempt_closes_at_it(
    make_item, make_quiz, student
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(time_limit_minutes=5), student=student, now=NOW)
    attempt_save_draft(
        attempt_item=first_item(attempt), student=student, response="0.0371", now=NOW + timedelta(minutes=4)
    )
    attempt_finish(attempt=attempt, now=NOW + timedelta(minutes=9))
    row = first_item(attempt)
    assert row.score == 1.0 and row.answered_at == NOW + timedelta(minutes=5)


def test_unanswered_positions_leave_out_answered_and_typed_items(make_item, make_quiz, student):
    for key in ("a", "b", "c"):
        make_item("numeric", key)
    attempt = attempt_start(quiz=make_quiz(), student=student)
    items = {row.position: row for row in attempt.attempt_items.select_related("attempt__quiz")}
    attempt_answer(attempt_item=items[1], student=student, response="1")
    attempt_save_draft(attempt_item=items[2], student=student, response="2")
    assert unanswered_positions(attempt) == [3]
    attempt_save_draft(attempt_item=items[2], student=student, response="  ")
    assert unanswered_positions(attempt) == [2, 3]


def test_the_plain_finish_button_shows_a_page_listing_unanswered_questions(
    make_item, make_quiz, student, student_client
):
    for key in ("a", "b", "c"):
        make_item("numeric", key)
    attempt = attempt_start(quiz=make_quiz(), student=student)
    student_client.post(answer_url(attempt, 2), {"answer": "1"})
    page = student_client.post(finish_url(attempt), {"check": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and "Question 1</a>" in html and "Question 3</a>" in html
    assert "Question 2</a>" not in html
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    finished = student_client.post(finish_url(attempt))
    assert finished.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED


def test_the_finish_check_answers_json_for_the_script(make_item, make_quiz, student, student_client):
    for key in ("a", "b"):
        make_item("numeric", key)
    attempt = attempt_start(quiz=make_quiz(), student=student)
    student_client.post(draft_url(attempt, 1), {"answer": "7"})
    reply = student_client.get(finish_url(attempt), HTTP_ACCEPT="application/json")
    assert reply.json() == {"unanswered": [2], "total": 2}


def test_the_attempt_page_finish_form_works_without_javascript(make_item, make_quiz, student, student_client):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    html = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f'action="{finish_url(attempt)}"' in html and 'name="check"' in html


# --- feedback at the end: answers change until Finish -----------------------------------------


def test_with_feedback_at_the_end_an_answer_can_be_changed_until_finish(make_item, make_quiz, student):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    attempt_answer(attempt_item=first_item(attempt), student=student, response="5")
    attempt_answer(attempt_item=first_item(attempt), student=student, response="0.0371")
    attempt_finish(attempt=attempt)
    assert first_item(attempt).response == "0.0371" and attempt.score == 1.0
    with pytest.raises(AttemptClosed):
        attempt_answer(attempt_item=first_item(attempt), student=student, response="5")


def test_with_feedback_at_the_end_a_changed_draft_replaces_the_saved_answer_at_finish(
    make_item, make_quiz, student
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    attempt_answer(attempt_item=first_item(attempt), student=student, response="5")
    attempt_save_draft(attempt_item=first_item(attempt), student=student, response="0.0371")
    attempt_finish(attempt=attempt)
    assert first_item(attempt).response == "0.0371" and attempt.score == 1.0


def test_with_feedback_at_the_end_the_answered_item_stays_editable_on_the_page(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    student_client.post(answer_url(attempt), {"answer": "5"})
    html = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Save changed answer" in html and "<fieldset disabled" not in html
    assert "You can change it until you finish" in html
    student_client.post(answer_url(attempt), {"answer": "0.0371"})
    assert first_item(attempt).response == "0.0371"


# --- after answering: the feedback takes the focus --------------------------------------------


def test_after_answering_the_page_opens_at_the_focusable_feedback(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    reply = student_client.post(answer_url(attempt), {"answer": "5"})
    assert reply.url.endswith("#feedback-1")
    html = student_client.get(reply.url).content.decode()
    assert 'id="feedback-1"' in html and 'tabindex="-1"' in html and 'role="status"' in html


# --- one item per page: previous and next -----------------------------------------------------


def test_one_item_per_page_has_previous_and_next_links(make_item, make_quiz, student, student_client):
    for key in ("a", "b", "c"):
        make_item("numeric", key)
    attempt = attempt_start(quiz=make_quiz(one_item_per_page=True), student=student)
    url = reverse("quizzes:attempt", args=[attempt.pk])
    first = student_client.get(url + "?item=1").content.decode()
    assert 'rel="next" href="?item=2#item-2"' in first and 'rel="prev"' not in first
    middle = student_client.get(url + "?item=2").content.decode()
    assert 'rel="prev" href="?item=1#item-1"' in middle and 'rel="next" href="?item=3#item-3"' in middle
    last = student_client.get(url + "?item=3").content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last


# --- the review: keys and explanations, per-choice marks --------------------------------------


@pytest.mark.parametrize("feedback_mode", ["immediate", "end"])
@pytest.mark.parametrize("one_item_per_page", [False, True])
@pytest.mark.parametrize("time_limit_minutes", [None, 5])
def test_every_unanswered_item_shows_its_key_and_explanation_in_the_review_under_any_settings(
    feedback_mode, one_item_per_page, time_limit_minutes, make_item, make_quiz, student, student_client
):
    make_item("single")
    make_item("numeric")
    quiz = make_quiz(
        feedback_mode=feedback_mode,
        one_item_per_page=one_item_per_page,
        time_limit_minutes=time_limit_minutes,
    )
    attempt = attempt_start(quiz=quiz, student=student)
    review = student_client.post(finish_url(attempt), follow=True).content.decode()
    for key in ("single-item", "numeric-item"):
        assert explanation_marker(key) in review
    assert review.count("Correct answer:") == 2


def _single_choice_ids(attempt):
    rendered = rendered_item(first_item(attempt))
    by_text = {choice["text"]: choice["id"] for choice in rendered["choices"]}
    return by_text["It damps oscillation across the valley"], by_text["It sets the learning rate to zero"]


def test_the_review_marks_every_choice_and_the_students_pick(make_item, make_quiz, student, student_client):
    make_item("single")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    right, wrong = _single_choice_ids(attempt)
    student_client.post(answer_url(attempt), {"answer": wrong})
    attempt_finish(attempt=attempt)
    (panel,) = item_panels(attempt)
    marks = {option["id"]: (option["checked"], option["correct"]) for option in panel.options}
    assert marks == {right: (False, True), wrong: (True, False)}
    review = student_client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert review.count("Your answer</span>") == 1
    assert "✓</span> correct choice" in review and "✗</span> wrong choice" in review


def test_choices_carry_no_marks_while_the_key_is_hidden(make_item, make_quiz, student, student_client):
    make_item("single")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    _, wrong = _single_choice_ids(attempt)
    student_client.post(answer_url(attempt), {"answer": wrong})
    (panel,) = item_panels(attempt)
    assert all(option["correct"] is None for option in panel.options)
    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "correct choice" not in page and "wrong choice" not in page


def test_choices_are_marked_right_after_answering_with_immediate_feedback(
    make_item, make_quiz, student, student_client
):
    make_item("single")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="immediate"), student=student)
    right, _ = _single_choice_ids(attempt)
    page = student_client.post(answer_url(attempt), {"answer": right}, follow=True).content.decode()
    assert "✓</span> correct choice" in page and "Your answer</span>" in page


def test_an_unanswered_choice_item_marks_the_correct_choice_in_the_review(make_item, make_quiz, student):
    make_item("truefalse")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_finish(attempt=attempt)
    (panel,) = item_panels(attempt)
    assert {option["id"]: option["correct"] for option in panel.options} == {"true": True, "false": False}


def test_multiple_choice_items_state_their_scoring_rule(make_item, make_quiz, student, student_client):
    make_item("multiple")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert MULTIPLE_SCORING_RULE in page
