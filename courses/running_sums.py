"""What one finished attempt adds to the item statistics' running sums (Django-free).

`courses.services.item_aggregates` stores these contributions; `courses.stats` turns the summed
contributions into facility, discrimination and alpha.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from courses.stats import ItemSums
from quizzes.engine.kinds import UNSCORED_KINDS, ItemKind

CHOICE_KINDS = (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUEFALSE)


@dataclass(frozen=True)
class ScoredItem:
    """One item of a finished attempt, as stored: unanswered items have no response."""

    item_id: int
    kind: str
    score: float | None
    response: object = None
    answered: bool = False


def attempt_item_sums(rows: Iterable[ScoredItem]) -> dict[int, ItemSums]:
    """Item id -> this attempt's contribution: x = item score, r = attempt total minus x.

    A missing score counts as 0, as when the attempt was finished with the item unanswered.
    """
    rows = [row for row in rows if row.kind not in UNSCORED_KINDS]  # descriptions have no score
    total = sum(row.score or 0.0 for row in rows)
    sums: dict[int, ItemSums] = {}
    for row in rows:
        x = row.score or 0.0
        rest = total - x
        contribution = ItemSums(n=1, sum_x=x, sum_x2=x * x, sum_r=rest, sum_r2=rest * rest, sum_xr=x * rest)
        sums[row.item_id] = sums[row.item_id] + contribution if row.item_id in sums else contribution
    return sums


def response_key(response: object) -> str:
    """A short key that is equal exactly when two stored responses are equal as JSON."""
    canonical = json.dumps(response, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def choice_picks(rows: Iterable[ScoredItem]) -> dict[tuple[int, str], tuple[object, int]]:
    """(item id, response key) -> (the response, how many answered choice items gave it)."""
    picks: dict[tuple[int, str], tuple[object, int]] = {}
    for row in rows:
        if row.kind not in CHOICE_KINDS or not row.answered or row.response is None:
            continue
        key = (row.item_id, response_key(row.response))
        picks[key] = (row.response, picks.get(key, (None, 0))[1] + 1)
    return picks
