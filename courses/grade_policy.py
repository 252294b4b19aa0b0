"""A course's grade policy: from a student's work on an assignment to the score that counts (Django-free).

The rules, in the order they apply:

1. **Due date.** A student's due date is the assignment's, unless the course staff gave that
   student an extension: then it is the extension's date (earlier or later).
2. **Late penalty.** Each piece of work (a finished quiz attempt, a graded code submission) is
   late when it was finished after the student's due date. A late piece loses
   `per_day` percent of its score for every started day (24 hours) after the due date, never more
   than `cap` percent: one minute late is one day. With `per_day = 10, cap = 30` a score of 80%
   handed in 2.5 days late counts 80% x (1 - 0.30) = 56%. A fixed penalty for any lateness is
   `per_day = cap` (say 20 and 20); `cap = 100` lets late work reach zero; `per_day = 0` (the default)
   means no penalty.
3. **Which piece counts.** For a quiz: the quiz's own rule, the best or the last finished attempt;
   for a code exercise: the best graded submission. The pick is made on penalised scores, so an
   on-time 60% beats a late 90% that a 50% penalty brings down to 45%. "Raw" is what would count
   with no late penalty (the same pick over unpenalised scores).
4. **Override.** A grade the course staff set by hand (with a reason) replaces all of the above.
5. **Weighted total.** Each assignment has a weight (default 1; 0 leaves it out of the total). The
   total is the weighted mean of the final scores over every assignment of the course; an
   assignment without work counts as 0. With no weight at all there is no total.

Scores are fractions of full marks, 0 to 1, as quizzes and grading store them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DAY = timedelta(days=1)


class Pick(StrEnum):
    BEST = "best"
    LAST = "last"


@dataclass(frozen=True)
class LatePenalty:
    """Percent of the score lost per started day late, and at most (both 0 to 100)."""

    per_day: float = 0.0
    cap: float = 100.0

    def __post_init__(self) -> None:
        for name in ("per_day", "cap"):
            value = getattr(self, name)
            if not (0.0 <= value <= 100.0) or math.isnan(value):
                raise ValueError(f"late penalty {name} must be between 0 and 100 percent, not {value}")

    def fraction_lost(self, finished_at: datetime, due_at: datetime) -> float:
        """The share of the score lost by work finished at `finished_at` (0 when on time)."""
        if finished_at <= due_at or self.per_day == 0:
            return 0.0
        days_late = math.ceil((finished_at - due_at) / DAY)
        return min(days_late * self.per_day, self.cap) / 100.0


@dataclass(frozen=True)
class Work:
    """One piece of a student's work on an assignment: its score and when it was finished.

    `ref` identifies it for whoever asked (an attempt or a submission); the policy never reads it.
    """

    score: float
    finished_at: datetime
    ref: object = None


@dataclass(frozen=True)
class ScoredWork:
    work: Work
    penalised: float
    late: bool

    @property
    def penalty(self) -> float:
        return self.work.score - self.penalised


@dataclass(frozen=True)
class Override:
    score: float
    reason: str = ""

    def __post_init__(self) -> None:
        if not (0.0 <= self.score <= 1.0) or math.isnan(self.score):
            raise ValueError(f"an overriding score must be between 0 and 1, not {self.score}")


@dataclass(frozen=True)
class Outcome:
    """What counts for one student on one assignment, and why."""

    due_at: datetime  # the student's due date (the extension's, when there is one)
    extended: bool
    works: tuple[ScoredWork, ...]  # every piece, oldest first
    counted: ScoredWork | None  # the piece whose penalised score counts (None: no work)
    raw: float | None  # what would count with no late penalty
    penalised: float | None  # what counts under the late penalty
    override: Override | None
    final: float | None  # what counts: the override, else `penalised`

    @property
    def penalty_applied(self) -> bool:
        return self.raw is not None and self.penalised is not None and self.penalised < self.raw

    @property
    def differs(self) -> bool:
        """Whether the final score is not simply the raw one (a late penalty or an override)."""
        return self.final != self.raw


def _pick(scored: Sequence[ScoredWork], pick: Pick, key) -> ScoredWork | None:
    if not scored:
        return None
    if pick == Pick.LAST:
        return scored[-1]
    # max keeps the first of equal bests: the piece that first earned the score.
    return max(scored, key=key)


def score_that_counts(
    works: Iterable[Work],
    *,
    due_at: datetime,
    extension_due_at: datetime | None = None,
    penalty: LatePenalty | None = None,
    pick: Pick = Pick.BEST,
    override: Override | None = None,
) -> Outcome:
    """Apply the policy (see the module's docstring) to one student's work on one assignment."""
    penalty = penalty or LatePenalty()
    due = extension_due_at if extension_due_at is not None else due_at
    ordered = sorted(works, key=lambda work: work.finished_at)
    scored = tuple(
        ScoredWork(
            work=work,
            penalised=work.score * (1.0 - penalty.fraction_lost(work.finished_at, due)),
            late=work.finished_at > due,
        )
        for work in ordered
    )
    counted = _pick(scored, pick, key=lambda s: s.penalised)
    raw_pick = _pick(scored, pick, key=lambda s: s.work.score)
    raw = raw_pick.work.score if raw_pick else None
    penalised = counted.penalised if counted else None
    final = override.score if override is not None else penalised
    return Outcome(
        due_at=due,
        extended=extension_due_at is not None,
        works=scored,
        counted=counted,
        raw=raw,
        penalised=penalised,
        override=override,
        final=final,
    )


def weighted_total(finals: Iterable[tuple[float | None, float]]) -> float | None:
    """The weighted mean of (final score, weight) pairs; no work counts 0; None without any weight."""
    pairs = list(finals)
    weights = sum(weight for _, weight in pairs)
    if weights <= 0:
        return None
    return sum((score or 0.0) * weight for score, weight in pairs) / weights
