import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AttemptStatus
from quizzes.services.attempts import attempt_save_draft, attempt_start
from quizzes.services.pages import rendered_item
from tests.quizzes.web.conftest import SPECS, explanation_marker

KINDS = list(SPECS)


def _by_text(entries, texts):
    ids = {entry["text"]: entry["id"] for entry in entries}
    return [ids[text] for text in texts]


def correct_form(attempt_item) -> dict:
    """The form a student who knows the answer would post for this item."""
    spec, rendered = attempt_item.item.spec, rendered_item(attempt_item)
    kind = attempt_item.item.kind
    correct_choices = [choice["text"] for choice in spec.get("choices", []) if choice.get("correct")]
    if kind == "single":
        return {"answer": _by_text(rendered["choices"], correct_choices)[0]}
    if kind == "multiple":
        return {"answer": _by_text(rendered["choices"], correct_choices)}
    if kind == "truefalse":
        return {"answer": "true"}
    if kind == "ordering":
        return {"order": _by_text(rendered["steps"], spec["steps"])}
    if kind == "numeric":
        return {"answer": "0.0371"}
    if kind == "shortanswer":
        return {"answer": "  rmsprop "}
    if kind == "matching":
        options = {choice["text"]: choice["id"] for choice in rendered["choices"]}
        prompts = {prompt["text"]: prompt["id"] for prompt in rendered["prompts"]}
        return {f"match-{prompts[pair['prompt']]}": options[pair["answer"]] for pair in spec["pairs"]}
    if kind == "calculation":
        return {"answer": repr(attempt_item.variant["values"]["answer"])}
    if kind == "symbolic":
        return {"answer": "beta*eta*g0 + eta*g1"}
    if kind == "cloze":
        gradients = _by_text(rendered["blanks"][1]["choices"], ["gradients"])[0]
        return {"blank-1": "0.9", "blank-2": gradients, "blank-3": "AdamW"}
    # momentum with the learning rate inside, on theta^2 from 10: m = 2, 3.4 and theta = 8, 4.6
    return {"cell-m1": "2", "cell-theta1": "8", "cell-m2": "3.4", "cell-theta2": "4.6"}


def start(quiz, user):
    attempt = attempt_start(quiz=quiz, student=user)
    return attempt, reverse("quizzes:attempt", args=[attempt.pk])


def answer_url(attempt, position=1):
    return reverse("quizzes:answer", args=[attempt.pk, position])


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_can_be_answered_through_its_form(kind, make_item, make_quiz, student, student_client):
    make_item(kind)
    attempt, page_url = start(make_quiz(), student)
    page = student_client.get(page_url)
    assert page.status_code == 200
    attempt_item = attempt.attempt_items.get()

    response = student_client.post(answer_url(attempt), correct_form(attempt_item), follow=True)

    attempt_item.refresh_from_db()
    assert attempt_item.result["status"] == "correct", attempt_item.result
    assert attempt_item.score == 1.0
    assert "Correct" in response.content.decode()


def test_key_and_explanation_reach_the_page_only_after_answering(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt, page_url = start(make_quiz(feedback_mode="immediate"), student)
    before = student_client.get(page_url).content.decode()
    assert explanation_marker("numeric-item") not in before
    assert "0.0371" not in before and "Correct answer" not in before

    student_client.post(answer_url(attempt), {"answer": "1"})
    after = student_client.get(page_url).content.decode()
    assert explanation_marker("numeric-item") in after
    assert "0.0371" in after and "You divided" not in after


def test_with_feedback_at_the_end_only_the_review_reveals_the_key(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    make_item("truefalse")
    attempt, page_url = start(make_quiz(feedback_mode="end"), student)
    position = attempt.attempt_items.get(item__kind="numeric").position
    student_client.post(answer_url(attempt, position), {"answer": "26.95"})
    during = student_client.get(page_url).content.decode()
    assert "Answer saved" in during
    assert explanation_marker("numeric-item") not in during and "0.0371" not in during
    assert "You divided" not in during  # misconception feedback waits too

    review = student_client.post(reverse("quizzes:finish", args=[attempt.pk]), follow=True).content.decode()
    assert explanation_marker("numeric-item") in review and "0.0371" in review and "You divided" in review
    assert explanation_marker("truefalse-item") not in review or "Not answered" in review


def test_an_invalid_number_is_shown_again_with_the_message_and_the_typed_text(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt, _ = start(make_quiz(), student)
    response = student_client.post(answer_url(attempt), {"answer": "0.03.7"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="0.03.7"' in html and 'role="alert"' in html
    assert attempt.attempt_items.get().answered_at is None


def test_ordering_arrow_buttons_reorder_without_answering(make_item, make_quiz, student, student_client):
    make_item("ordering")
    attempt, _ = start(make_quiz(), student)
    steps = [step["id"] for step in rendered_item(attempt.attempt_items.get())["steps"]]
    response = student_client.post(answer_url(attempt), {"order": steps, "move": f"{steps[1]}:up"})
    html = response.content.decode()
    assert html.index(f'value="{steps[1]}"') < html.index(f'value="{steps[0]}"')
    assert attempt.attempt_items.get().answered_at is None


def test_a_second_answer_is_refused_with_a_message(make_item, make_quiz, student, student_client):
    make_item("numeric")
    attempt, _ = start(make_quiz(), student)
    student_client.post(answer_url(attempt), {"answer": "1"})
    html = student_client.post(answer_url(attempt), {"answer": "0.0371"}, follow=True).content.decode()
    assert "already answered" in html
    assert attempt.attempt_items.get().response == "1"


def test_one_item_per_page_shows_a_single_question(make_item, make_quiz, student, student_client):
    for index in range(3):
        make_item("numeric", f"n{index}")
    attempt, page_url = start(make_quiz(one_item_per_page=True), student)
    html = student_client.get(page_url + "?item=2").content.decode()
    assert html.count('class="card quiz-item"') == 1 and 'id="item-2"' in html


def test_hints_are_on_the_page_for_revealing_one_by_one(make_item, make_quiz, student, student_client):
    make_item("numeric")
    _, page_url = start(make_quiz(), student)
    html = student_client.get(page_url).content.decode()
    assert html.count('<details class="hint">') == 2 and "Second hint" in html


def test_timer_shows_the_remaining_time(make_item, make_quiz, student, student_client):
    make_item("numeric")
    _, page_url = start(make_quiz(time_limit_minutes=20), student)
    html = student_client.get(page_url).content.decode()
    assert 'class="quiz-timer"' in html and "19:5" in html


def test_finishing_leads_to_a_review_with_scores(make_item, make_quiz, student, student_client):
    make_item("numeric")
    attempt, _ = start(make_quiz(), student)
    student_client.post(answer_url(attempt), {"answer": "0.0371"})
    response = student_client.post(reverse("quizzes:finish", args=[attempt.pk]), follow=True)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
    assert response.redirect_chain[-1][0] == reverse("quizzes:review", args=[attempt.pk])
    assert "100%" in response.content.decode()


def test_quiz_list_and_detail_show_attempts_and_grade(make_item, make_quiz, student, student_client):
    make_item("numeric")
    quiz = make_quiz(max_attempts=3)
    attempt, _ = start(quiz, student)
    student_client.post(answer_url(attempt), {"answer": "0.0371"})
    student_client.post(reverse("quizzes:finish", args=[attempt.pk]))
    listing = student_client.get(reverse("quizzes:list")).content.decode()
    detail = student_client.get(reverse("quizzes:detail", args=[quiz.slug])).content.decode()
    assert quiz.title in listing and "100%" in listing
    assert "2 attempts left" in detail and "Review" in detail


def test_start_button_opens_an_attempt_and_reports_the_limit(make_item, make_quiz, student, student_client):
    make_item("numeric")
    quiz = make_quiz(max_attempts=1)
    response = student_client.post(reverse("quizzes:start", args=[quiz.slug]))
    attempt = quiz.attempts.get()
    assert response.url == reverse("quizzes:attempt", args=[attempt.pk])
    student_client.post(reverse("quizzes:finish", args=[attempt.pk]))
    html = student_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True).content.decode()
    assert "used all 1 attempt" in html and quiz.attempts.count() == 1


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["quizzes:attempt", "quizzes:review"])
def test_another_students_attempt_is_a_404(name, make_item, make_quiz, second_student, student_client):
    make_item("numeric")
    attempt, _ = start(make_quiz(), second_student)
    assert student_client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert student_client.post(answer_url(attempt), {"answer": "1"}).status_code == 404
    assert student_client.post(reverse("quizzes:finish", args=[attempt.pk])).status_code == 404
    assert attempt.attempt_items.get().answered_at is None


def test_anonymous_visitors_are_sent_to_log_in(make_item, make_quiz, student, client):
    make_item("numeric")
    attempt, page_url = start(make_quiz(), student)
    for url in (page_url, reverse("quizzes:review", args=[attempt.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url
    assert client.post(answer_url(attempt), {"answer": "1"}).status_code == 302


# --- the expression echo ------------------------------------------------------------------------


def preview(client, attempt, text, position=1):
    url = reverse("quizzes:preview_expression", args=[attempt.pk, position])
    response = client.get(url, {"text": text})
    return response.status_code, json.loads(response.content)


def test_preview_echoes_a_valid_expression_as_latex(make_item, make_quiz, student, student_client):
    make_item("symbolic")
    attempt, page_url = start(make_quiz(), student)
    assert (
        reverse("quizzes:preview_expression", args=[attempt.pk, 1])
        in student_client.get(page_url).content.decode()
    )
    status, data = preview(student_client, attempt, "beta^2 eta g0")
    assert status == 200 and data["ok"] and "\\beta" in data["latex"]


def test_preview_reports_a_syntax_error(make_item, make_quiz, student, student_client):
    make_item("symbolic")
    attempt, _ = start(make_quiz(), student)
    status, data = preview(student_client, attempt, "beta*(eta")
    assert status == 200 and not data["ok"] and data["error"]


def test_preview_refuses_non_symbolic_items_and_other_students(
    make_item, make_quiz, student, second_student, student_client
):
    make_item("numeric")
    mine, _ = start(make_quiz(), student)
    assert preview(student_client, mine, "x")[0] == 400
    theirs, _ = start(make_quiz(slug="theirs"), second_student)
    assert student_client.get(reverse("quizzes:preview_expression", args=[theirs.pk, 1])).status_code == 404


def test_table_cells_show_their_own_verdicts_with_error_carried_forward(
    make_item, make_quiz, student, student_client
):
    make_item("table")
    attempt, page_url = start(make_quiz(), student)
    # theta1 is wrong (9 instead of 8); m2 and theta2 follow correctly from it.
    cells = {"cell-m1": "2", "cell-theta1": "9", "cell-m2": "3.6", "cell-theta2": "5.4"}
    html = student_client.post(answer_url(attempt), cells, follow=True).content.decode()
    assert 'class="cell-correct"' in html and 'class="cell-wrong"' in html and 'class="cell-carried"' in html
    assert 'value="9"' in html and "Partly correct" in html


def test_an_answer_after_the_deadline_is_refused_and_the_review_opens(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    quiz = make_quiz(time_limit_minutes=5)
    attempt = attempt_start(quiz=quiz, student=student, now=timezone.now() - timedelta(minutes=6))
    response = student_client.post(answer_url(attempt), {"answer": "0.0371"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("quizzes:review", args=[attempt.pk])
    assert "Time is up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED and attempt.attempt_items.get().answered_at is None


@pytest.mark.parametrize("page", ["quizzes:list", "quizzes:detail"])
def test_the_quiz_pages_finish_an_expired_attempt_and_show_its_draft_awaiting_grading(
    page, make_item, make_quiz, student, student_client
):
    make_item("essay")
    make_item("numeric")
    quiz = make_quiz(time_limit_minutes=5, max_attempts=3)
    started = timezone.now() - timedelta(hours=1)
    attempt = attempt_start(quiz=quiz, student=student, now=started)
    essay = attempt.attempt_items.get(item__kind="essay")
    attempt_save_draft(
        attempt_item=essay, student=student, response="Momentum averages past gradients.", now=started
    )
    url = reverse(page, args=[quiz.slug] if page == "quizzes:detail" else [])

    html = student_client.get(url).content.decode()

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
    assert "continue attempt" not in html.lower()
    assert "grade <strong>0%</strong>" in html if page == "quizzes:list" else "2 attempts left" in html
    if page == "quizzes:detail":  # the essay typed before the deadline now waits for its grade
        assert "1 awaiting grading, counted 0 for now" in html


def test_opening_an_expired_attempt_finishes_it(make_item, make_quiz, student, student_client):
    make_item("numeric")
    attempt = attempt_start(
        quiz=make_quiz(time_limit_minutes=5), student=student, now=timezone.now() - timedelta(hours=1)
    )
    response = student_client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
