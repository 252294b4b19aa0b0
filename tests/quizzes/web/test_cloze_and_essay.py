"""Cloze and essay items inside real attempts: inline blanks, pending essays, the grading queues."""

import re

import pytest
from django.urls import reverse

from accounts.services import user_create
from courses.models import AssignmentKind, ItemScoreSums
from courses.services.courses import assignment_create, course_create, enrollment_join
from quizzes import events
from quizzes.models import AttemptItem
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.manual_grading import GradingError, grade_answer, hand_graded_items, waiting
from quizzes.services.pages import rendered_item

ESSAY_TEXT = "Momentum keeps a decaying average of past gradients."


def _answer_url(attempt, position=1):
    return reverse("quizzes:answer", args=[attempt.pk, position])


def _review(client, attempt):
    return client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()


def _essay_attempt(make_item, make_quiz, student, *, text=ESSAY_TEXT, with_numeric=True):
    make_item("essay")
    if with_numeric:
        make_item("numeric")
    quiz = make_quiz(owner=None)
    attempt = attempt_start(quiz=quiz, student=student)
    essay = attempt.attempt_items.get(item__kind="essay")
    attempt_answer(attempt_item=essay, student=student, response=text)
    if with_numeric:
        numeric = attempt.attempt_items.get(item__kind="numeric")
        attempt_answer(attempt_item=numeric, student=student, response="0.0371")
    attempt_finish(attempt=attempt)
    attempt.refresh_from_db()
    essay.refresh_from_db()
    return quiz, attempt, essay


# -- cloze ---------------------------------------------------------------------------------------------


def test_a_cloze_item_puts_labelled_inputs_inside_its_text(make_item, make_quiz, student, student_client):
    make_item("cloze")
    attempt = attempt_start(quiz=make_quiz(), student=student)

    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()

    stem = page[page.index('class="math stem cloze-stem"') :]
    assert stem.index('name="blank-1"') < stem.index("and its first") < stem.index('name="blank-2"')
    for number in (1, 2, 3):
        assert f'aria-label="Blank {number} of 3"' in page
    assert '<option value="">Choose…</option>' in page and "⟦blank" not in page
    assert page.count("Adam's default") == 1  # the stem is not shown a second time above the form


def test_each_blank_is_scored_and_fed_back_on_its_own_with_weights(
    make_item, make_quiz, student, student_client
):
    make_item("cloze")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_item = attempt.attempt_items.get()
    wrong = next(
        c["id"] for c in rendered_item(attempt_item)["blanks"][1]["choices"] if c["text"] != "gradients"
    )

    page = student_client.post(
        _answer_url(attempt), {"blank-1": "0.99", "blank-2": wrong, "blank-3": "AdamW"}, follow=True
    ).content.decode()

    attempt_item.refresh_from_db()
    # Weights 1, 2, 1: (0.5 + 0 + 1) / 4.
    assert attempt_item.score == pytest.approx(0.375)
    assert attempt_item.result["feedback"] == [
        "Blank 1: partly correct. That is beta2",
        "Blank 2: incorrect. That is the second moment",
        "Blank 3: correct. Right",
    ]
    assert "blank-partial" in page and "blank-incorrect" in page and "blank-correct" in page


def test_an_unreadable_number_in_a_blank_keeps_every_typed_value(
    make_item, make_quiz, student, student_client
):
    make_item("cloze")
    attempt = attempt_start(quiz=make_quiz(), student=student)

    page = student_client.post(
        _answer_url(attempt), {"blank-1": "nine tenths", "blank-3": "adamw"}, follow=True
    ).content.decode()

    assert attempt.attempt_items.get().answered_at is None
    assert "Blank 1:" in page
    assert 'value="nine tenths"' in page and 'value="adamw"' in page


PICKS_STEM = "Tick the optimizers with a second moment: {1:MULTIRESPONSE_H:=Adam#Yes~=RMSProp#Yes~SGD#No}."


def test_a_multiresponse_blank_is_a_row_of_check_boxes_scored_and_shown_again_in_the_review(
    make_item, make_quiz, student, student_client
):
    item = make_item("cloze")
    item.stem = PICKS_STEM
    item.save()
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_item = attempt.attempt_items.get()
    ids = {c["text"]: c["id"] for c in rendered_item(attempt_item)["blanks"][0]["choices"]}

    page = student_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert page.count('type="checkbox" name="blank-1"') == 3
    assert 'role="group" aria-label="Blank 1 of 1"' in page and "cloze-radios cloze-checks horizontal" in page

    student_client.post(_answer_url(attempt), {"blank-1": [ids["Adam"], ids["SGD"]]}, follow=True)
    attempt_item.refresh_from_db()
    # Adam and RMSProp are worth 1/2 each and SGD costs 1/2: 1/2 - 1/2 = 0.
    assert attempt_item.score == 0.0 and attempt_item.response == {"1": [ids["Adam"], ids["SGD"]]}
    assert attempt_item.result["feedback"] == ["Blank 1: incorrect. Yes No"]

    attempt_finish(attempt=attempt)
    review = _review(student_client, attempt)
    for text, ticked in (("Adam", True), ("RMSProp", False), ("SGD", True)):
        box = f'type="checkbox" name="blank-1" value="{ids[text]}"'
        assert (box + " checked" in review) is ticked and box in review
    assert "blank-incorrect" in review and "tick Adam and RMSProp" in review


# -- essays --------------------------------------------------------------------------------------------


def test_a_finished_essay_waits_for_grading_with_no_score_not_zero(
    make_item, make_quiz, student, student_client
):
    _quiz, attempt, essay = _essay_attempt(make_item, make_quiz, student)

    assert essay.score is None and essay.result["status"] == "pending"
    assert attempt.raw_score == 0.5  # the numeric item's 1.0; the essay counts 0 until graded
    review = _review(student_client, attempt)
    assert "Awaiting grading" in review and "1 answer awaits grading" in review
    assert ESSAY_TEXT in review
    quiz_page = student_client.get(reverse("quizzes:detail", args=[attempt.quiz.slug])).content.decode()
    assert "1 awaiting grading, counted 0 for now" in quiz_page


def test_an_essay_outside_its_word_limits_is_refused_and_kept(make_item, make_quiz, student, student_client):
    make_item("essay")
    attempt = attempt_start(quiz=make_quiz(), student=student)

    page = student_client.post(_answer_url(attempt), {"answer": "Too short"}, follow=True).content.decode()

    assert attempt.attempt_items.get().answered_at is None
    assert "Your answer has 2 words; write at least 3." in page
    assert ">Too short</textarea>" in page


def test_grading_an_essay_updates_the_attempt_and_the_student_sees_score_and_comment(
    make_item, make_quiz, student, student_client, instructor, django_capture_on_commit_callbacks
):
    _quiz, attempt, essay = _essay_attempt(make_item, make_quiz, student)
    heard = []

    def listener(sender, signal, **payload):
        heard.append(payload)

    events.attempt_graded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            grade_answer(attempt_item=essay, score=0.8, comment="Good; name **beta** too.", by=instructor)
    finally:
        events.attempt_graded.disconnect(listener)

    attempt.refresh_from_db()
    essay.refresh_from_db()
    assert essay.score == 0.8 and essay.result["status"] == "partial"
    assert attempt.raw_score == pytest.approx(0.9)
    assert heard == [{"attempt_id": attempt.pk, "student_id": student.pk, "quiz_id": attempt.quiz_id}]
    review = _review(student_client, attempt)
    assert "Awaiting grading" not in review and "awaits grading" not in review
    assert "<strong>Graded</strong>" in review and "score 80%" in review and "Your grader's comment" in review
    assert "<strong>beta</strong>" in review


def test_a_grade_outside_0_to_100_percent_or_for_an_automatic_item_is_refused(
    make_item, make_quiz, student, instructor
):
    _quiz, attempt, essay = _essay_attempt(make_item, make_quiz, student)
    numeric = attempt.attempt_items.get(item__kind="numeric")

    with pytest.raises(GradingError, match="from 0 to 100"):
        grade_answer(attempt_item=essay, score=1.5, comment="", by=instructor)
    with pytest.raises(GradingError, match="automatically"):
        grade_answer(attempt_item=numeric, score=0.0, comment="", by=instructor)
    essay.refresh_from_db()
    assert essay.score is None


def test_the_quiz_owner_grades_from_the_queue_and_the_answer_leaves_it(
    bank, make_item, make_quiz, student, instructor, client
):
    bank.owner = instructor  # a quiz draws from the banks its owner may use
    bank.save()
    make_item("essay")
    quiz = make_quiz(owner=instructor)
    attempt = attempt_start(quiz=quiz, student=student)
    essay = attempt.attempt_items.get()
    attempt_answer(attempt_item=essay, student=student, response=ESSAY_TEXT)
    attempt_finish(attempt=attempt)
    client.force_login(instructor)
    queue_url = reverse("quizzes:author_quiz_grading", args=[quiz.slug])

    queue = client.get(queue_url).content.decode()
    assert ESSAY_TEXT in queue and "Full marks: names the decaying average." in queue
    assert 'name="score"' in queue and 'name="comment"' in queue

    refused = client.post(
        reverse("quizzes:author_quiz_grade", args=[quiz.slug, essay.pk]), {"score": "120"}, follow=True
    )
    assert "Not saved" in refused.content.decode()
    saved = client.post(
        reverse("quizzes:author_quiz_grade", args=[quiz.slug, essay.pk]),
        {"score": "75", "comment": "Clear."},
        follow=True,
    ).content.decode()
    assert "Grade saved" in saved and "Nothing waits for grading." in saved
    essay.refresh_from_db()
    assert essay.score == 0.75 and essay.result["details"]["grading"]["comment"] == "Clear."
    # The graded list shows it again with its grade, to change it.
    graded_list = client.get(queue_url, {"show": "graded"}).content.decode()
    assert ESSAY_TEXT in graded_list and 'value="75.0"' in graded_list and ">Clear.</textarea>" in graded_list


def test_a_course_queue_lists_only_its_students_essays_and_rebuilds_statistics(
    bank,
    make_item,
    make_quiz,
    student,
    second_student,
    instructor,
    client,
    django_capture_on_commit_callbacks,
):
    from django.utils import timezone

    bank.owner = instructor
    bank.save()
    make_item("essay")
    quiz = make_quiz(owner=instructor)
    course = course_create(owner=instructor, name="Optimizers 101")
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now - timezone.timedelta(days=1),
        due_at=now + timezone.timedelta(days=1),
    )
    enrollment_join(student=student, code=course.code)
    answers = {}
    for user, text in ((student, ESSAY_TEXT), (second_student, "Not in the course, this one.")):
        attempt = attempt_start(quiz=quiz, student=user)
        answers[user.pk] = attempt.attempt_items.get()
        attempt_answer(attempt_item=answers[user.pk], student=user, response=text)
        attempt_finish(attempt=attempt)
    client.force_login(instructor)

    queue = client.get(reverse("courses:grading", args=[course.pk])).content.decode()
    assert ESSAY_TEXT in queue and "Not in the course" not in queue
    outsider = client.post(
        reverse("courses:grade", args=[course.pk, answers[second_student.pk].pk]), {"score": "50"}
    )
    assert outsider.status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("courses:grade", args=[course.pk, answers[student.pk].pk]), {"score": "100"})

    sums = ItemScoreSums.objects.get(student=student, quiz=quiz)
    assert sums.sum_x == 1.0  # the statistics' running sums now hold the graded score


def test_another_instructor_cannot_see_or_grade_a_quiz_s_essays(make_item, make_quiz, student, client):
    owner = user_create(username="quiz-owner", password="pass-word-123", instructor=True)
    other = user_create(username="other-teacher", password="pass-word-123", instructor=True)
    quiz, _attempt, essay = _essay_attempt(make_item, make_quiz, student, with_numeric=False)
    quiz.owner = owner
    quiz.save()
    client.force_login(other)

    assert client.get(reverse("quizzes:author_quiz_grading", args=[quiz.slug])).status_code == 404
    posted = client.post(reverse("quizzes:author_quiz_grade", args=[quiz.slug, essay.pk]), {"score": "90"})
    assert posted.status_code == 404
    essay.refresh_from_db()
    assert essay.score is None and waiting(hand_graded_items()).count() == 1


def test_an_essay_longer_than_its_limit_is_reported_not_cut(make_item, make_quiz, student, student_client):
    make_item("essay", max_chars=60, min_words=1)
    attempt = attempt_start(quiz=make_quiz(), student=student)
    text = "word " * 20

    page = student_client.post(_answer_url(attempt), {"answer": text}, follow=True).content.decode()

    assert "Your answer is 100 characters long; at most 60 are accepted." in page
    assert re.search(r">\s*(word ){20}</textarea>", page)
    assert AttemptItem.objects.get(pk=attempt.attempt_items.get().pk).answered_at is None


def test_an_essay_waiting_for_its_grade_is_no_evidence_of_mastery(make_item, make_quiz, student):
    from progress.events import quiz_finished
    from progress.models import ConceptMastery

    make_item("essay", topics=["momentum"])
    make_item("numeric", topics=["adam"])
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_answer(
        attempt_item=attempt.attempt_items.get(item__kind="essay"), student=student, response=ESSAY_TEXT
    )
    attempt_answer(
        attempt_item=attempt.attempt_items.get(item__kind="numeric"), student=student, response="1"
    )
    attempt_finish(attempt=attempt)

    quiz_finished(attempt)

    concepts = set(ConceptMastery.objects.filter(student=student).values_list("concept", flat=True))
    assert "adam" in concepts and "momentum" not in concepts
