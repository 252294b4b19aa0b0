from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from quizzes.engine import draw_variant, variant_seed
from quizzes.models import Attempt, AttemptStatus
from quizzes.services import attempts
from quizzes.services.attempts import (
    AlreadyAnswered,
    AttemptClosed,
    AttemptError,
    AttemptLimitReached,
    QuizUnavailable,
    attempt_answer,
    attempt_finish,
    attempt_start,
    quiz_grade_for,
)

NOW = timezone.now().replace(microsecond=0)


def _answer_numeric(attempt, student, text, now=NOW):
    attempt_item = attempt.attempt_items.get(item__kind="numeric")
    return attempt_answer(attempt_item=attempt_item, student=student, response=text, now=now)


def _answer_correctly_once(quiz, student, now=NOW):
    attempt = attempt_start(quiz=quiz, student=student, now=now)
    _answer_numeric(attempt, student, "0.0371", now)
    return attempt_finish(attempt=attempt, now=now)


@pytest.fixture
def numeric_quiz(make_item, make_quiz):
    make_item("numeric")
    return make_quiz


def test_start_creates_items_with_the_documented_variant_seed(make_item, make_quiz, student):
    item = make_item("calculation")
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)
    (attempt_item,) = attempt.attempt_items.all()
    assert attempt.number == 1 and attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt_item.seed == variant_seed(student.id, "demo/calculation-item", 1)
    assert attempt_item.variant == draw_variant(item.to_dict(), attempt_item.seed).to_dict()


def test_starting_again_resumes_the_attempt_in_progress(numeric_quiz, student):
    quiz = numeric_quiz()
    first = attempt_start(quiz=quiz, student=student, now=NOW)
    assert attempt_start(quiz=quiz, student=student, now=NOW) == first
    assert quiz.attempts.count() == 1


def test_max_attempts_refuses_one_more_with_a_clear_message(numeric_quiz, student):
    quiz = numeric_quiz(max_attempts=2)
    _answer_correctly_once(quiz, student)
    _answer_correctly_once(quiz, student)
    with pytest.raises(AttemptLimitReached, match="used all 2 attempts"):
        attempt_start(quiz=quiz, student=student, now=NOW)
    assert quiz.attempts.count() == 2


def test_a_quiz_without_matching_items_cannot_be_started(make_quiz, student):
    with pytest.raises(QuizUnavailable, match="no questions"):
        attempt_start(quiz=make_quiz(), student=student, now=NOW)
    assert not make_quiz(slug="other", published=False).attempts.exists()


def test_a_second_tab_that_starts_the_same_attempt_at_once_is_told_to_reload(
    numeric_quiz, student, monkeypatch
):
    quiz = numeric_quiz()
    # This tab read the student's attempts just before the other tab's attempt was committed.
    Attempt.objects.create(quiz=quiz, student=student, number=1, started_at=NOW)
    monkeypatch.setattr(attempts, "_attempts_so_far", lambda quiz, student: [])
    with pytest.raises(AttemptError, match="just started in another tab"):
        attempt_start(quiz=quiz, student=student, now=NOW)
    assert quiz.attempts.count() == 1


def test_a_write_the_database_refuses_for_another_reason_is_not_called_a_second_tab(
    numeric_quiz, student, monkeypatch
):
    quiz = numeric_quiz()

    def refused(**kwargs):
        raise IntegrityError('null value in column "added" violates not-null constraint')

    monkeypatch.setattr(attempts, "_open_new_attempt", refused)
    with pytest.raises(IntegrityError, match="not-null"):
        attempt_start(quiz=quiz, student=student, now=NOW)


def test_deadline_follows_the_time_limit(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(time_limit_minutes=15), student=student, now=NOW)
    assert attempt.deadline == NOW + timedelta(minutes=15)
    assert attempt_start(quiz=numeric_quiz(slug="untimed"), student=student, now=NOW).deadline is None


def test_answer_is_checked_and_stored(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    result = _answer_numeric(attempt, student, "0.0371")
    stored = attempt.attempt_items.get()
    assert result.status == "correct"
    assert (stored.response, stored.score, stored.answered_at) == ("0.0371", 1.0, NOW)
    assert stored.result["status"] == "correct"


def test_answering_twice_is_refused_and_keeps_the_first_answer(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    _answer_numeric(attempt, student, "5")
    with pytest.raises(AlreadyAnswered):
        _answer_numeric(attempt, student, "0.0371")
    assert attempt.attempt_items.get().response == "5"


def test_an_invalid_answer_is_returned_but_not_stored(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    result = _answer_numeric(attempt, student, "zero point four")
    assert result.status == "invalid" and result.feedback
    stored = attempt.attempt_items.get()
    assert stored.answered_at is None and stored.response is None and stored.result is None
    assert _answer_numeric(attempt, student, "0.0371").status == "correct"


def test_answering_after_the_deadline_is_refused_and_finishes_the_attempt(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(time_limit_minutes=10), student=student, now=NOW)
    with pytest.raises(AttemptClosed, match="Time is up"):
        _answer_numeric(attempt, student, "0.0371", now=NOW + timedelta(minutes=11))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == 0.0


def test_answering_after_finishing_is_refused(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    attempt_finish(attempt=attempt, now=NOW)
    with pytest.raises(AttemptClosed):
        _answer_numeric(attempt, student, "0.0371")


def test_another_student_cannot_answer_my_item(numeric_quiz, student, second_student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    with pytest.raises(Exception, match="not your attempt"):
        _answer_numeric(attempt, second_student, "0.0371")


def test_finish_scores_unanswered_items_zero_and_averages(make_item, make_quiz, student):
    make_item("numeric")
    make_item("truefalse")
    attempt = attempt_start(quiz=make_quiz(), student=student, now=NOW)
    _answer_numeric(attempt, student, "0.0371")
    attempt_finish(attempt=attempt, now=NOW)
    assert attempt.raw_score == pytest.approx(0.5) and attempt.score == pytest.approx(0.5)
    assert attempt.attempt_items.get(item__kind="truefalse").score == 0.0


def test_penalty_applies_per_extra_attempt_and_never_goes_below_zero(numeric_quiz, student):
    quiz = numeric_quiz(penalty_per_extra_attempt=0.4)
    scores = [_answer_correctly_once(quiz, student).score for _ in range(4)]
    assert scores == pytest.approx([1.0, 0.6, 0.2, 0.0])


def test_finishing_twice_changes_nothing(numeric_quiz, student):
    attempt = attempt_start(quiz=numeric_quiz(), student=student, now=NOW)
    attempt_finish(attempt=attempt, now=NOW)
    attempt_finish(attempt=attempt, now=NOW + timedelta(hours=1))
    attempt.refresh_from_db()
    assert attempt.finished_at == NOW


def test_best_policy_keeps_the_best_and_last_policy_the_latest(numeric_quiz, student):
    best, last = (
        numeric_quiz(slug="best", grading_policy="best"),
        numeric_quiz(slug="last", grading_policy="last"),
    )
    for quiz in (best, last):
        _answer_correctly_once(quiz, student)
        attempt_finish(attempt=attempt_start(quiz=quiz, student=student, now=NOW), now=NOW)  # scores 0
    assert quiz_grade_for(quiz=best, student=student) == 1.0
    assert quiz_grade_for(quiz=last, student=student) == 0.0


def test_no_grade_before_any_finished_attempt(numeric_quiz, student):
    quiz = numeric_quiz()
    attempt_start(quiz=quiz, student=student, now=NOW)
    assert quiz_grade_for(quiz=quiz, student=student) is None


def test_an_expired_attempt_is_finished_when_the_grade_is_read(numeric_quiz, student):
    quiz = numeric_quiz(time_limit_minutes=5)
    attempt = attempt_start(quiz=quiz, student=student, now=NOW - timedelta(minutes=6))
    assert quiz_grade_for(quiz=quiz, student=student) == 0.0
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FINISHED


def test_an_expired_attempt_is_closed_before_a_new_one_starts(numeric_quiz, student):
    quiz = numeric_quiz(time_limit_minutes=5, max_attempts=2)
    first = attempt_start(quiz=quiz, student=student, now=NOW - timedelta(minutes=6))
    second = attempt_start(quiz=quiz, student=student, now=NOW)
    first.refresh_from_db()
    assert first.status == AttemptStatus.FINISHED and second.number == 2


def test_a_new_attempt_prefers_items_not_seen_before(make_item, make_quiz, student):
    for index in range(4):
        make_item("numeric", f"n{index}")
    quiz = make_quiz(rules=[{"count": 2}])
    first = attempt_start(quiz=quiz, student=student, now=NOW)
    attempt_finish(attempt=first, now=NOW)
    second = attempt_start(quiz=quiz, student=student, now=NOW)
    first_items = set(first.attempt_items.values_list("item_id", flat=True))
    second_items = set(second.attempt_items.values_list("item_id", flat=True))
    assert len(second_items) == 2 and not first_items & second_items


def test_variants_are_stable_per_student_and_attempt_and_vary_otherwise(
    make_item, make_quiz, student, second_student
):
    make_item("calculation")
    quiz = make_quiz()
    mine = attempt_start(quiz=quiz, student=student, now=NOW)
    params = mine.attempt_items.get().variant["params"]
    assert attempt_start(quiz=quiz, student=student, now=NOW).attempt_items.get().variant["params"] == params

    # 3 learning rates x 496 gradients: a clash between two fresh draws is rare but possible, so
    # compare several pairs and require that most differ.
    def other_params(user, attempts):
        drawn = []
        for _ in range(attempts):
            attempt = attempt_start(quiz=quiz, student=user, now=NOW)
            drawn.append(attempt.attempt_items.get().variant["params"])
            attempt_finish(attempt=attempt, now=NOW)
        return drawn

    attempt_finish(attempt=mine, now=NOW)
    later_attempts = other_params(student, 3)
    other_student = other_params(second_student, 4)
    assert sum(p != params for p in later_attempts) >= 2
    assert sum(p != params for p in other_student) >= 3
