"""Weekly, forgiving streaks. Django-free.

A week (Monday to Sunday) counts when the student practised on at least one day of it; the streak
is the number of consecutive counting weeks. It is forgiving in two ways:

- one practice day a week keeps it alive, and the current week only breaks it once it is over
  (on Monday a streak from last week is still alive, "at risk" until the student practises);
- practice means an answer that was recorded or code that was graded. A typo (an answer the
  engine calls invalid) is never recorded, so it neither counts nor breaks anything.

Practice reported for a week older than the last one counted (a late grading result) changes
nothing: that week was already either counted or missed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

WEEK = timedelta(days=7)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class StreakState:
    weeks: int = 0  # consecutive weeks ending with `last_week`
    longest: int = 0
    last_week: date | None = None  # Monday of the last week with practice


def record_practice(state: StreakState, day: date) -> StreakState:
    """The state after practising on `day`."""
    week = week_start(day)
    if state.last_week is not None and week <= state.last_week:
        return state  # same week (already counted) or a late report about an earlier week
    continued = state.last_week is not None and week - state.last_week == WEEK
    weeks = state.weeks + 1 if continued else 1
    return replace(state, weeks=weeks, longest=max(state.longest, weeks), last_week=week)


def current_streak(state: StreakState, today: date) -> int:
    """The streak as it stands today: alive through the week after the last practised one."""
    if state.last_week is None or week_start(today) - state.last_week > WEEK:
        return 0
    return state.weeks


def streak_at_risk(state: StreakState, today: date) -> bool:
    """True when the streak ends unless the student practises before this week is over."""
    return state.last_week is not None and state.weeks > 0 and week_start(today) - state.last_week == WEEK
