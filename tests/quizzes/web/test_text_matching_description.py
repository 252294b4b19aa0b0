"""Short text answers, matching and descriptions inside real attempts: widgets, scores and the mean."""

from django.urls import reverse

from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.pages import item_panels


def _item_of_kind(attempt, kind):
    return attempt.attempt_items.get(item__kind=kind)


def test_a_description_is_left_out_of_the_attempt_mean(make_item, make_quiz, student):
    make_item("shortanswer")
    make_item("description")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_answer(attempt_item=_item_of_kind(attempt, "shortanswer"), student=student, response="AdaGrad")

    attempt_finish(attempt=attempt)

    attempt.refresh_from_db()
    # Only the short answer counts: its half mark is the mean, not (0.5 + 0) / 2.
    assert attempt.raw_score == 0.5 and attempt.score == 0.5


def test_a_description_shows_its_text_without_an_answer_form(make_item, make_quiz, student, student_client):
    make_item("description")
    attempt = attempt_start(quiz=make_quiz(), student=student)

    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()

    assert "Question text for description-item." in page
    assert "Submit answer" not in page


def test_the_matching_widget_lists_every_prompt_with_every_answer_and_keeps_a_pick(
    make_item, make_quiz, student, student_client
):
    make_item("matching")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_item = _item_of_kind(attempt, "matching")
    (panel,) = item_panels(attempt)
    prompts = panel.rendered["prompts"]
    options = {choice["text"]: choice["id"] for choice in panel.rendered["choices"]}
    assert sorted(options) == [
        "A step size that doubles",
        "A sum of past gradients",
        "An average of squared gradients",
    ]
    momentum = next(prompt["id"] for prompt in prompts if prompt["text"] == "Momentum")

    student_client.post(
        reverse("quizzes:answer", args=[attempt.pk, 1]),
        {f"match-{momentum}": options["A sum of past gradients"]},
    )

    attempt_item.refresh_from_db()
    assert attempt_item.score == 0.5  # one of two prompts matched; the other left unpaired
    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f'name="match-{momentum}"' in page
    assert f'value="{options["A sum of past gradients"]}" selected' in page


def test_the_review_does_not_call_a_description_unanswered(make_item, make_quiz, student, student_client):
    make_item("description")
    make_item("shortanswer")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_finish(attempt=attempt)

    review = student_client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()

    assert review.count("was not answered") == 1  # the short answer only
    assert "Question text for description-item." in review
