from datetime import timedelta

from grading.models import Submission
from progress.events import quiz_finished, reset_progress, submission_graded
from progress.mastery import Level
from progress.models import Activity, ConceptMastery, StudentProgress
from progress.xp import EXERCISE_XP, ITEM_XP
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from tests.progress.conftest import MONDAY


def level_of(student, concept: str) -> Level:
    row = ConceptMastery.objects.filter(student=student, concept=concept).first()
    return Level(row.level) if row else Level.NOT_STARTED


def test_answered_items_become_evidence_for_their_concepts(student, make_item, finished_attempt):
    momentum = make_item("m1", topics=["momentum-conventions", "nesterov"])
    quiz_finished(finished_attempt(student, [(momentum, 1.0)]))
    assert level_of(student, "momentum") == Level.FAMILIAR
    assert level_of(student, "nesterov") == Level.FAMILIAR
    assert level_of(student, "adam") == Level.NOT_STARTED


def test_unanswered_items_are_not_evidence(student, make_item, finished_attempt):
    skipped = make_item("skipped", topics=["adam"])
    quiz_finished(finished_attempt(student, [(skipped, None)]))
    assert level_of(student, "adam") == Level.NOT_STARTED
    assert StudentProgress.objects.get(student=student).streak_weeks == 0


def test_levels_rise_and_drop_across_quizzes(student, make_item, finished_attempt):
    items = [make_item(f"m{n}") for n in range(3)]
    quiz_finished(finished_attempt(student, [(item, 1.0) for item in items]))
    assert level_of(student, "momentum") == Level.MASTERED
    quiz_finished(finished_attempt(student, [(items[0], 0.0)], at=MONDAY + timedelta(hours=1)))
    assert level_of(student, "momentum") < Level.MASTERED


def test_processing_the_same_attempt_twice_changes_nothing(student, make_item, finished_attempt):
    attempt = finished_attempt(student, [(make_item("m1"), 1.0)])
    quiz_finished(attempt)
    quiz_finished(attempt)
    assert StudentProgress.objects.get(student=student).xp == ITEM_XP
    assert Activity.objects.filter(student=student).count() == 1
    assert ConceptMastery.objects.get(student=student, concept="momentum").evidence_count == 1


def test_xp_is_paid_once_per_item_and_not_for_wrong_or_partial_answers(student, make_item, finished_attempt):
    right, partial = make_item("right"), make_item("partial")
    quiz_finished(finished_attempt(student, [(right, 1.0), (partial, 0.5)]))
    quiz_finished(finished_attempt(student, [(right, 1.0), (partial, 0.0)], at=MONDAY + timedelta(days=1)))
    assert StudentProgress.objects.get(student=student).xp == ITEM_XP


def test_a_passed_exercise_earns_xp_once_and_counts_as_evidence(student, graded_submission):
    submission_graded(graded_submission(student, "adam", passed=True))
    submission_graded(graded_submission(student, "adam", passed=True, at=MONDAY + timedelta(hours=1)))
    assert StudentProgress.objects.get(student=student).xp == EXERCISE_XP
    assert level_of(student, "bias-correction") == Level.PROFICIENT  # one exercise: never mastered


def test_a_failed_submission_counts_its_capped_score(student, graded_submission):
    submission_graded(graded_submission(student, "rmsprop", passed=False, score=0.3))
    assert level_of(student, "rmsprop") == Level.ATTEMPTED
    assert StudentProgress.objects.get(student=student).xp == 0


def test_ungradable_code_is_activity_but_not_evidence_nor_practice(student, graded_submission):
    submission_graded(graded_submission(student, "sgd", passed=False, verdict_status="error"))
    assert Activity.objects.filter(student=student).count() == 1
    assert level_of(student, "gradient-descent") == Level.NOT_STARTED
    assert StudentProgress.objects.get(student=student).streak_weeks == 0


def test_a_grader_failure_is_ignored(student):
    broken = Submission.objects.create(
        student=student, exercise_slug="sgd", source="x", status=Submission.Status.ERROR
    )
    assert submission_graded(broken) == []
    assert not Activity.objects.filter(student=student).exists()


def test_weekly_streak_grows_across_weeks_and_restarts_after_a_gap(student, make_item, finished_attempt):
    item = make_item("m1")
    for week in (0, 1, 2, 4):
        quiz_finished(
            finished_attempt(student, [(item, 0.0)], at=MONDAY + timedelta(weeks=week, days=week % 3))
        )
    progress = StudentProgress.objects.get(student=student)
    assert (progress.streak_weeks, progress.longest_streak) == (1, 3)


def test_evidence_of_one_student_leaves_another_untouched(
    student, second_student, make_item, finished_attempt
):
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)]))
    assert not ConceptMastery.objects.filter(student=second_student).exists()


def test_reset_keeps_the_leaderboard_choice(student, make_item, finished_attempt):
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)]))
    StudentProgress.objects.filter(student=student).update(leaderboard_opt_in=True)
    reset_progress(student)
    progress = StudentProgress.objects.get(student=student)
    assert (progress.xp, progress.leaderboard_opt_in) == (0, True)
    assert not ConceptMastery.objects.filter(student=student).exists()


# ----------------------------------------------------------------- the hook in attempt_finish


def test_finishing_an_attempt_through_the_quiz_service_updates_progress(
    student, make_item, django_capture_on_commit_callbacks
):
    from quizzes.models import Quiz, QuizRule

    make_item("hooked", topics=["adam"])
    quiz = Quiz.objects.create(slug="hook-quiz", title="Hook quiz")
    QuizRule.objects.create(quiz=quiz, count=1)
    attempt = attempt_start(quiz=quiz, student=student)
    attempt_answer(attempt_item=attempt.attempt_items.get(), student=student, response=True)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt)
    assert Activity.objects.filter(student=student, source_id=attempt.pk).exists()
    assert level_of(student, "adam") == Level.FAMILIAR
    assert StudentProgress.objects.get(student=student).xp == ITEM_XP


def test_a_typo_is_not_practice_and_breaks_nothing(student, make_item, django_capture_on_commit_callbacks):
    from quizzes.models import Quiz, QuizRule

    make_item("typed", topics=["adam"], kind="numeric")
    quiz = Quiz.objects.create(slug="typo-quiz", title="Typo quiz")
    QuizRule.objects.create(quiz=quiz, count=1)
    attempt = attempt_start(quiz=quiz, student=student)
    result = attempt_answer(attempt_item=attempt.attempt_items.get(), student=student, response="1..0")
    assert result.status == "invalid"
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt)
    progress = StudentProgress.objects.get(student=student)
    assert (progress.streak_weeks, progress.xp) == (0, 0)
    assert level_of(student, "adam") == Level.NOT_STARTED
