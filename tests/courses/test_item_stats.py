"""Item statistics from the database match the hand-computed dataset (see test_stats_formulas)."""

import math

import pytest

from courses.services.item_stats import quiz_item_statistics
from quizzes.models import Attempt, AttemptStatus
from tests.courses.conftest import CHOICES, choice_id, finished_attempt

# Rows of the hand-computed table: (item 1, item 2, item 3) scores per attempt.
TABLE = [(0, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 0)]


@pytest.fixture
def four_students(make_user, enrol):
    students = [make_user(f"learner{n}") for n in range(4)]
    for student in students:
        enrol(student)
    return students


def _seed_table(quiz, items, students, table=TABLE):
    for student, scores in zip(students, table, strict=True):
        finished_attempt(quiz, student, 1, list(zip(items, scores, strict=True)))


def test_item_statistics_match_the_hand_computed_table(course, quiz, items, four_students):
    _seed_table(quiz, items, four_students)
    stats = quiz_item_statistics(course=course, quiz=quiz)
    by_key = {stat.item.key: stat for stat in stats.items}
    assert stats.attempts == 4
    assert [stat.item.key for stat in stats.items] == ["why-momentum", "step-size", "adam-bias"]
    assert [by_key[key].facility for key in ("why-momentum", "step-size", "adam-bias")] == pytest.approx(
        [0.75, 0.5, 0.25]
    )
    assert by_key["why-momentum"].discrimination == pytest.approx(1.0)
    assert by_key["step-size"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert by_key["adam-bias"].discrimination == pytest.approx(-0.25 / math.sqrt(2.0625))
    assert [by_key[key].flag for key in ("why-momentum", "step-size", "adam-bias")] == [
        "",
        "very low",
        "negative",
    ]
    assert stats.alpha == pytest.approx(0.25)
    # Mean attempt score: totals [0, 2, 2, 2] over 3 items -> (0 + 2/3 * 3) / 4 = 0.5
    assert stats.mean_score == pytest.approx(0.5)


def test_unfinished_attempts_and_other_courses_students_are_left_out(
    course, quiz, items, four_students, make_user
):
    _seed_table(quiz, items, four_students)
    outsider = make_user("outsider")  # not in the course: a perfect score that must not count
    finished_attempt(quiz, outsider, 1, [(item, 1.0) for item in items])
    running = finished_attempt(quiz, four_students[0], 2, [(item, 1.0) for item in items])
    Attempt.objects.filter(pk=running.pk).update(status=AttemptStatus.IN_PROGRESS)

    stats = quiz_item_statistics(course=course, quiz=quiz)
    assert stats.attempts == 4
    assert stats.alpha == pytest.approx(0.25)
    assert {stat.item.key: stat.sums.n for stat in stats.items} == {
        "why-momentum": 4,
        "step-size": 4,
        "adam-bias": 4,
    }


def test_items_drawn_at_random_are_measured_over_the_attempts_that_contain_them(
    course, quiz, items, make_user, enrol
):
    # The random-draw case of test_stats_formulas: item a in all four attempts, item b in two.
    item_a, item_b = items[1], items[2]
    rows = [[(item_a, 1), (item_b, 1)], [(item_a, 0), (item_b, 0)], [(item_a, 1)], [(item_a, 0)]]
    for n, scored in enumerate(rows):
        student = make_user(f"drawn{n}")
        enrol(student)
        finished_attempt(quiz, student, 1, scored)
    stats = quiz_item_statistics(course=course, quiz=quiz)
    sums = {stat.item.key: stat.sums for stat in stats.items}
    assert sums["step-size"].n == 4 and sums["adam-bias"].n == 2
    # Item b over its two attempts: x = [1, 0], r = [1, 0] -> r = 1; item a: x = [1,0,1,0], r = [1,0,0,0]
    # deviations [.5,-.5,.5,-.5] and [.75,-.25,-.25,-.25]: products .375+.125-.125+.125 = .5;
    # sqrt(1 * .75) = .866 -> r = .5 / .866 = 0.5774
    assert {stat.item.key: stat.discrimination for stat in stats.items} == pytest.approx(
        {"step-size": 0.5 / math.sqrt(0.75), "adam-bias": 1.0}
    )
    assert stats.alpha == pytest.approx(15 / 11)


def test_option_counts_for_choice_items(course, quiz, items, four_students):
    picks = [choice_id(0), choice_id(1), choice_id(0), choice_id(2)]
    answers = [True, False, False, "false"]
    for student, pick, answer in zip(four_students, picks, answers, strict=True):
        finished_attempt(
            quiz,
            student,
            1,
            [(item, 0.0) for item in items],
            responses={"why-momentum": pick, "adam-bias": answer},
        )
    stats = quiz_item_statistics(course=course, quiz=quiz)
    by_key = {stat.item.key: stat for stat in stats.items}
    single = {option.id: (option.count, option.correct) for option in by_key["why-momentum"].options}
    assert single == {choice_id(0): (2, True), choice_id(1): (1, False), choice_id(2): (1, False)}
    truefalse = {option.id: (option.count, option.correct) for option in by_key["adam-bias"].options}
    assert truefalse == {"true": (1, False), "false": (3, True)}
    assert by_key["step-size"].options == []  # numeric items have no options


def test_statistics_include_an_attempt_finished_after_the_last_view(course, quiz, items, four_students):
    _seed_table(quiz, items, four_students[:3], TABLE[:3])
    first = quiz_item_statistics(course=course, quiz=quiz)
    assert first.attempts == 3
    assert quiz_item_statistics(course=course, quiz=quiz) == first  # same data, same numbers
    finished_attempt(quiz, four_students[3], 1, list(zip(items, TABLE[3], strict=True)))
    refreshed = quiz_item_statistics(course=course, quiz=quiz)
    assert refreshed.attempts == 4 and refreshed.alpha == pytest.approx(0.25)


def test_choice_placeholders_are_never_shown_as_raw_braces(course, quiz, items, four_students):
    single = items[0]
    single.spec = {"choices": [{"text": "Step of {{eta}} times g", "correct": True}, {"text": "Zero"}]}
    single.save()
    finished_attempt(quiz, four_students[0], 1, [(single, 1.0)])
    stats = quiz_item_statistics(course=course, quiz=quiz)
    texts = [(option.text, option.template) for option in stats.items[0].options]
    assert texts == [("Step of ⟨eta⟩ times g", ""), ("Zero", "")]


def test_statistics_page_shows_filled_choice_texts_and_flags(
    instructor_client, course, quiz, items, four_students, quiz_assignment
):
    items[0].spec = {"choices": [{"text": "A step of {{eta}}", "correct": True}, *CHOICES[1:]]}
    items[0].save()
    _seed_table(quiz, items, four_students)
    page = instructor_client.get(f"/courses/{course.pk}/assignments/{quiz_assignment.pk}/statistics/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "4 finished attempts" in html
    assert "A step of ⟨eta⟩" in html and "{{" not in html
    assert '<span class="flag">negative</span>' in html
