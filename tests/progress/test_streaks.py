from datetime import date, timedelta

from progress.streaks import StreakState, current_streak, record_practice, streak_at_risk, week_start

MONDAY = date(2025, 3, 3)


def practise(*days: date) -> StreakState:
    state = StreakState()
    for day in days:
        state = record_practice(state, day)
    return state


def test_weeks_start_on_monday():
    assert week_start(date(2025, 3, 9)) == MONDAY  # a Sunday
    assert week_start(MONDAY) == MONDAY


def test_one_day_a_week_keeps_the_streak():
    state = practise(MONDAY, MONDAY + timedelta(days=13), MONDAY + timedelta(days=14))
    assert state.weeks == 3


def test_several_days_in_one_week_count_once():
    state = practise(*(MONDAY + timedelta(days=offset) for offset in range(7)))
    assert state.weeks == 1


def test_a_missed_week_restarts_the_streak_but_keeps_the_longest():
    state = practise(
        MONDAY, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=4)
    )
    assert state.weeks == 1
    assert state.longest == 3


def test_the_current_week_does_not_break_the_streak_before_it_ends():
    state = practise(MONDAY, MONDAY + timedelta(weeks=1))
    next_monday = MONDAY + timedelta(weeks=2)
    assert current_streak(state, next_monday + timedelta(days=6)) == 2
    assert streak_at_risk(state, next_monday)
    assert current_streak(state, next_monday + timedelta(days=7)) == 0


def test_a_streak_practised_this_week_is_not_at_risk():
    state = practise(MONDAY)
    assert current_streak(state, MONDAY + timedelta(days=3)) == 1
    assert not streak_at_risk(state, MONDAY + timedelta(days=3))


def test_a_late_report_about_an_earlier_week_changes_nothing():
    state = practise(MONDAY, MONDAY + timedelta(weeks=1))
    assert record_practice(state, MONDAY - timedelta(weeks=3)) == state


def test_no_practice_no_streak():
    assert current_streak(StreakState(), MONDAY) == 0
    assert not streak_at_risk(StreakState(), MONDAY)
