from datetime import UTC, datetime, timedelta

import pytest

from progress.mastery import (
    WINDOW,
    Evidence,
    Level,
    mastery_level,
    recent_score,
    window_from_json,
    window_to_json,
)

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def history(*scores_and_sources) -> list[Evidence]:
    """Evidence one minute apart; each argument is a score, or (score, source)."""
    pieces = []
    for minute, entry in enumerate(scores_and_sources):
        score, source = entry if isinstance(entry, tuple) else (entry, f"item:{minute}")
        pieces.append(Evidence(source, score, START + timedelta(minutes=minute)))
    return pieces


def test_no_evidence_is_not_started():
    assert mastery_level([]) == Level.NOT_STARTED
    assert recent_score([]) is None


def test_one_wrong_answer_is_attempted():
    assert mastery_level(history(0.0)) == Level.ATTEMPTED


def test_one_right_answer_is_only_familiar():
    assert mastery_level(history(1.0)) == Level.FAMILIAR


def test_two_right_answers_are_proficient():
    assert mastery_level(history(1.0, 1.0)) == Level.PROFICIENT


def test_three_right_answers_from_different_items_are_mastered():
    assert mastery_level(history(1.0, 1.0, 1.0)) == Level.MASTERED


def test_mastery_needs_more_than_one_item_or_exercise():
    same_item = history(*[(1.0, "item:7")] * 6)
    assert mastery_level(same_item) == Level.PROFICIENT
    assert mastery_level(same_item + history((1.0, "exercise:adam"))) == Level.MASTERED


def test_a_mistake_after_mastery_drops_the_level():
    mastered = history(1.0, 1.0, 1.0, 1.0, 1.0)
    assert mastery_level(mastered) == Level.MASTERED
    after_mistake = history(1.0, 1.0, 1.0, 1.0, 1.0, 0.0)
    assert mastery_level(after_mistake) < Level.PROFICIENT


def test_mastery_is_regained_after_several_right_answers():
    levels = [mastery_level(history(*([1.0] * 5 + [0.0] + [1.0] * extra))) for extra in range(6)]
    assert levels[0] == Level.FAMILIAR
    assert levels[1] == Level.PROFICIENT
    assert Level.MASTERED in levels
    assert levels == sorted(levels), "right answers after the mistake never lower the level"


def test_only_the_recent_window_counts():
    old_failures = history(*([0.0] * 20 + [1.0] * WINDOW))
    assert mastery_level(old_failures) == Level.MASTERED


def test_newer_evidence_weighs_more():
    improving = recent_score(history(0.0, 1.0))
    declining = recent_score(history(1.0, 0.0))
    assert improving > 0.5 > declining


def test_partial_scores_count_fractionally():
    assert mastery_level(history(0.6, 0.6, 0.6)) == Level.FAMILIAR
    assert mastery_level(history(0.8, 0.8, 0.8)) == Level.PROFICIENT


def test_mastered_needs_the_newest_piece_right_even_with_a_high_average():
    # Five perfect answers and a near miss: the average stays high, the newest is not right.
    assert mastery_level(history(1.0, 1.0, 1.0, 1.0, 1.0, 0.85)) == Level.PROFICIENT


def test_evidence_order_is_by_time_not_by_list_position():
    pieces = history(1.0, 1.0, 1.0, 0.0)
    assert mastery_level(list(reversed(pieces))) == mastery_level(pieces)


def test_scores_outside_zero_to_one_are_rejected():
    with pytest.raises(ValueError, match="0..1"):
        Evidence("item:1", 1.5, START)


def test_window_round_trips_through_json():
    pieces = history(0.25, (1.0, "exercise:adam"))
    assert window_from_json(window_to_json(pieces)) == pieces


def test_levels_have_readable_labels():
    assert [level.label for level in Level] == [
        "not started",
        "attempted",
        "familiar",
        "proficient",
        "mastered",
    ]
