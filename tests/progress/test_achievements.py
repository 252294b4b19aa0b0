from datetime import timedelta

from grading.exercises import EXERCISES
from progress.achievements import ACHIEVEMENTS, ICONS, sgd_steps_to
from progress.events import quiz_finished, submission_graded
from progress.models import Award
from tests.progress.conftest import MONDAY


def earned(student) -> set[str]:
    return set(Award.objects.filter(student=student).values_list("slug", flat=True))


def slugs(achievements) -> set[str]:
    return {a.slug for a in achievements}


def d2l_record(*, steps_to_tol, fidelity=1.0, reference_final_loss=1e-29):
    return {"id": "d2l-quadratic", "fidelity": fidelity, "steps_to_tol": steps_to_tol,
            "reference_final_loss": reference_final_loss}  # fmt: skip


def test_achievements_are_well_formed():
    assert len({a.slug for a in ACHIEVEMENTS}) == len(ACHIEVEMENTS)
    for achievement in ACHIEVEMENTS:
        assert achievement.name and achievement.description and achievement.icon
        assert achievement.events <= {"quiz", "exercise"} and achievement.events


def test_every_achievement_icon_is_a_drawing_with_words_for_it():
    for achievement in ACHIEVEMENTS:
        assert achievement.icon in ICONS, achievement.slug
        assert achievement.icon_label.strip()
        assert achievement.icon_drawing.lstrip().startswith("<") and "<script" not in achievement.icon_drawing
        # Drawn shapes only: no characters that need an emoji font.
        assert all(ord(char) < 0x2000 for char in achievement.icon_drawing), achievement.slug


def test_first_quiz_is_awarded_once(student, make_item, finished_attempt):
    item = make_item("m1")
    assert "first-quiz" in slugs(quiz_finished(finished_attempt(student, [(item, 0.0)])))
    assert "first-quiz" not in slugs(quiz_finished(finished_attempt(student, [(item, 0.0)])))
    assert Award.objects.filter(student=student, slug="first-quiz").count() == 1


def test_a_quiz_with_nothing_answered_earns_nothing(student, make_item, finished_attempt):
    assert quiz_finished(finished_attempt(student, [(make_item("m1"), None)])) == []


def test_perfect_quiz_needs_every_item_fully_right(student, make_item, finished_attempt):
    a, b = make_item("a"), make_item("b")
    quiz_finished(finished_attempt(student, [(a, 1.0), (b, 0.9)]))
    assert "perfect-quiz" not in earned(student)
    quiz_finished(finished_attempt(student, [(a, 1.0), (b, 1.0)], at=MONDAY + timedelta(hours=1)))
    assert "perfect-quiz" in earned(student)


def test_ten_different_calculation_items(student, make_item, finished_attempt):
    items = [make_item(f"calc-{n}", kind="calculation") for n in range(10)]
    quiz_finished(finished_attempt(student, [(items[0], 1.0)] * 3 + [(item, 1.0) for item in items[1:9]]))
    assert "ten-calculations" not in earned(student)  # nine different ones, one of them thrice
    quiz_finished(finished_attempt(student, [(items[9], 1.0)], at=MONDAY + timedelta(hours=1)))
    assert "ten-calculations" in earned(student)


def test_bias_corrected_needs_a_pass_after_the_diagnosis(student, graded_submission):
    submission_graded(graded_submission(student, "adam", passed=True, at=MONDAY))
    assert "bias-corrected" not in earned(student)  # passing first is not the story
    submission_graded(
        graded_submission(student, "adam", passed=False, score=0.4, diagnosis=["missing-bias-correction"],
                          at=MONDAY + timedelta(hours=1))
    )  # fmt: skip
    assert "bias-corrected" not in earned(student)
    later = submission_graded(graded_submission(student, "adam", passed=True, at=MONDAY + timedelta(hours=2)))
    assert "bias-corrected" in slugs(later)


def test_bias_corrected_ignores_other_diagnoses(student, graded_submission):
    submission_graded(graded_submission(student, "adam", passed=False, diagnosis=["eps-inside-sqrt"]))
    submission_graded(graded_submission(student, "adam", passed=True, at=MONDAY + timedelta(hours=1)))
    assert "bias-corrected" not in earned(student)


def test_bias_corrected_is_not_earned_through_another_students_diagnosis(
    student, second_student, graded_submission
):
    submission_graded(
        graded_submission(second_student, "adam", passed=False, diagnosis=["missing-bias-correction"])
    )
    submission_graded(graded_submission(student, "adam", passed=True, at=MONDAY + timedelta(hours=1)))
    assert "bias-corrected" not in earned(student)
    assert "bias-corrected" not in earned(second_student)


def test_sgd_baseline_on_the_ill_conditioned_quadratic_takes_many_steps():
    # Momentum's reference reaches 1% of its loss decrease (0.105) in 7 steps; SGD at lr 0.4 needs more.
    assert sgd_steps_to(0.105) > 7


def test_faster_than_sgd_reads_steps_from_the_verdict(student, graded_submission):
    fast = graded_submission(student, "momentum", passed=True, problems=[d2l_record(steps_to_tol=7)])
    assert "faster-than-sgd" in slugs(submission_graded(fast))


def test_faster_than_sgd_is_not_earned_by_a_slow_or_unfaithful_run(student, graded_submission):
    slow = graded_submission(student, "momentum", passed=False, problems=[d2l_record(steps_to_tol=90)])
    shortcut = graded_submission(
        student, "nesterov", passed=False, problems=[d2l_record(steps_to_tol=1, fidelity=0.01)],
        at=MONDAY + timedelta(hours=1),
    )  # fmt: skip
    sgd = graded_submission(student, "sgd", passed=True, problems=[d2l_record(steps_to_tol=1)])
    for submission in (slow, shortcut, sgd):
        submission_graded(submission)
    assert "faster-than-sgd" not in earned(student)


def test_every_optimizer_needs_every_exercise_passed(student, second_student, graded_submission):
    slugs_in_order = list(EXERCISES)
    for offset, slug in enumerate(slugs_in_order[:-1]):
        submission_graded(
            graded_submission(student, slug, passed=True, at=MONDAY + timedelta(minutes=offset))
        )
    submission_graded(graded_submission(second_student, slugs_in_order[-1], passed=True))
    assert "every-optimizer" not in earned(student)
    last = graded_submission(student, slugs_in_order[-1], passed=True, at=MONDAY + timedelta(hours=1))
    assert "every-optimizer" in slugs(submission_graded(last))
    assert "every-optimizer" not in earned(second_student)


def test_first_pass_and_persistence(student, graded_submission):
    for hour in range(3):
        submission_graded(
            graded_submission(student, "rmsprop", passed=False, at=MONDAY + timedelta(hours=hour))
        )
    assert earned(student) == set()
    submission_graded(graded_submission(student, "rmsprop", passed=True, at=MONDAY + timedelta(hours=4)))
    assert {"first-pass", "persistence"} <= earned(student)


def test_persistence_does_not_count_another_students_failures(student, second_student, graded_submission):
    for hour in range(3):
        submission_graded(
            graded_submission(second_student, "sgd", passed=False, at=MONDAY + timedelta(hours=hour))
        )
    submission_graded(graded_submission(student, "sgd", passed=True, at=MONDAY + timedelta(hours=4)))
    assert "persistence" not in earned(student)


def test_three_week_streak(student, make_item, finished_attempt):
    item = make_item("m1")
    for week in range(3):
        quiz_finished(finished_attempt(student, [(item, 0.0)], at=MONDAY + timedelta(weeks=week)))
        assert ("streak-3" in earned(student)) == (week == 2)


def test_first_mastery(student, make_item, finished_attempt):
    items = [make_item(f"m{n}") for n in range(3)]
    awards = quiz_finished(finished_attempt(student, [(item, 1.0) for item in items]))
    assert "first-mastery" in slugs(awards)


def test_nothing_is_awarded_to_a_student_for_another_students_quiz(
    student, second_student, make_item, finished_attempt
):
    items = [make_item(f"m{n}") for n in range(3)]
    quiz_finished(finished_attempt(second_student, [(item, 1.0) for item in items]))
    assert earned(student) == set()
    assert {"first-quiz", "perfect-quiz", "first-mastery"} <= earned(second_student)


def test_an_award_is_dated_by_the_event_that_earned_it(student, make_item, finished_attempt):
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)], at=MONDAY + timedelta(days=2)))
    assert Award.objects.get(student=student, slug="first-quiz").earned_at == MONDAY + timedelta(days=2)
