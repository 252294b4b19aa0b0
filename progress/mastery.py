"""Mastery of one concept, as a pure function of the evidence about it.

Evidence is one answered quiz item or one graded code submission that touches the concept, with
its score from 0 to 1 (partial credit counts fractionally) and when it happened.

The rule (shown to students on the dashboard, so keep `RULE_SUMMARY` in step with the code):

1. Only the **recent window** counts: the last `WINDOW` pieces of evidence (6). Older work has
   already done its job; what matters is what the student can do now.
2. Inside the window, newer evidence weighs more: each piece weighs `DECAY` (0.75) times the one
   after it. The weighted mean of the scores is the **recent score**.
3. Levels, from the top, the first whose conditions hold:
   - **mastered**: recent score ≥ 0.9, at least 3 pieces in the window coming from at least 2
     different items or exercises (one question answered well three times is not mastery), and
     the newest piece itself scored ≥ 0.9;
   - **proficient**: recent score ≥ 0.75 and at least 2 pieces;
   - **familiar**: recent score ≥ 0.5;
   - **attempted**: any evidence at all;
   - **not started**: none.

Levels go down as well as up: a wrong answer after mastery immediately costs the "mastered" level
(rule 3, newest piece) and pulls the recent score down; a few right answers in a row, from more
than one question, earn it back. Because only the window matters, storing the window per student
and concept is enough to update the level incrementally. Django-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

WINDOW = 6
DECAY = 0.75
MASTERED_SCORE = 0.9
PROFICIENT_SCORE = 0.75
FAMILIAR_SCORE = 0.5
MASTERED_MIN_PIECES = 3
MASTERED_MIN_SOURCES = 2
PROFICIENT_MIN_PIECES = 2

RULE_SUMMARY = (
    f"Your level on a concept comes from your last {WINDOW} answers or graded submissions about it, "
    f"newer ones weighing more (each one counts {DECAY:g}× the one after it). "
    f"Familiar: a recent score of at least {FAMILIAR_SCORE:.0%}. "
    f"Proficient: at least {PROFICIENT_SCORE:.0%} over {PROFICIENT_MIN_PIECES} or more pieces. "
    f"Mastered: at least {MASTERED_SCORE:.0%} over {MASTERED_MIN_PIECES} or more pieces from "
    f"{MASTERED_MIN_SOURCES} or more different questions or exercises, with your latest one right. "
    "A mistake brings the level down; a few right answers bring it back."
)


class Level(IntEnum):
    NOT_STARTED = 0
    ATTEMPTED = 1
    FAMILIAR = 2
    PROFICIENT = 3
    MASTERED = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


@dataclass(frozen=True)
class Evidence:
    source: str  # what was answered: "item:<id>" or "exercise:<slug>"
    score: float  # 0..1
    at: datetime

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"evidence score must be within 0..1, got {self.score!r}")


def recent_window(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The pieces that count, oldest first (ties keep their given order)."""
    return sorted(evidence, key=lambda piece: piece.at)[-WINDOW:]


def recent_score(evidence: Sequence[Evidence]) -> float | None:
    """Recency-weighted mean score over the window; None without evidence."""
    window = recent_window(evidence)
    if not window:
        return None
    weights = [DECAY**age for age in range(len(window) - 1, -1, -1)]  # oldest gets the smallest
    return sum(w * piece.score for w, piece in zip(weights, window, strict=True)) / sum(weights)


def mastery_level(evidence: Sequence[Evidence]) -> Level:
    """The level the evidence supports under the rule in this module's docstring."""
    window = recent_window(evidence)
    score = recent_score(window)
    if score is None:
        return Level.NOT_STARTED
    sources = {piece.source for piece in window}
    if (
        score >= MASTERED_SCORE
        and len(window) >= MASTERED_MIN_PIECES
        and len(sources) >= MASTERED_MIN_SOURCES
        and window[-1].score >= MASTERED_SCORE
    ):
        return Level.MASTERED
    if score >= PROFICIENT_SCORE and len(window) >= PROFICIENT_MIN_PIECES:
        return Level.PROFICIENT
    if score >= FAMILIAR_SCORE:
        return Level.FAMILIAR
    return Level.ATTEMPTED


def window_to_json(window: Sequence[Evidence]) -> list[list]:
    """The stored form of a window (a JSON list of [source, score, ISO time])."""
    return [[piece.source, piece.score, piece.at.isoformat()] for piece in window]


def window_from_json(raw: list) -> list[Evidence]:
    return [Evidence(source, float(score), datetime.fromisoformat(at)) for source, score, at in raw]
