"""Classical test statistics for quiz items, computed from running sums (Django-free).

The database hands over, per item, a handful of sums over the finished attempts that contain the
item (see `courses.services.item_stats`); everything here is arithmetic on those sums, so the cost
of a statistics page does not grow with the number of attempts held in Python.

Definitions follow Moodle's quiz statistics report:
- facility index: mean item score / maximum item score (every Descent item scores 0..1);
- discrimination index: Pearson correlation between the item score and the rest of the test,
  i.e. the attempt total without this item (so the item does not correlate with itself);
- Cronbach's alpha: k/(k-1) * (1 - sum of item variances / variance of attempt totals).

Items drawn at random: each item is analysed over the attempts that contain it, with its own n.
For alpha, an attempt holds k items on average (k = item appearances / attempts) and the expected
item variance inside one attempt is the appearance-weighted sum of item variances. When every
attempt holds every item this is exactly the textbook formula. Variances are population variances
(divide by n); alpha is a ratio of variances, so the choice cancels out for complete data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from quizzes.engine.kinds import ItemKind

# Moodle colours discrimination below 0.2 as weak; below 0 the item rewards the weaker students.
LOW_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class ItemSums:
    """Sums over the finished attempts containing one item; x = item score, r = rest of test."""

    n: int
    sum_x: float
    sum_x2: float
    sum_r: float
    sum_r2: float
    sum_xr: float
    max_score: float = 1.0

    def __add__(self, other: ItemSums) -> ItemSums:
        """The sums over both sets of attempts (every field is additive; full marks take the larger)."""
        return ItemSums(
            n=self.n + other.n,
            sum_x=self.sum_x + other.sum_x,
            sum_x2=self.sum_x2 + other.sum_x2,
            sum_r=self.sum_r + other.sum_r,
            sum_r2=self.sum_r2 + other.sum_r2,
            sum_xr=self.sum_xr + other.sum_xr,
            max_score=max(self.max_score, other.max_score),
        )


def _variance(n: int, total: float, total_of_squares: float) -> float:
    # Clamped: for constant data, floating-point cancellation can leave a tiny negative number.
    return max(0.0, total_of_squares / n - (total / n) ** 2)


def facility_index(sums: ItemSums) -> float | None:
    if sums.n == 0 or sums.max_score <= 0:
        return None
    return sums.sum_x / sums.n / sums.max_score


def discrimination_index(sums: ItemSums) -> float | None:
    """Pearson r(item score, rest of test); None when either side never varies (r is undefined)."""
    n = sums.n
    if n < 2:
        return None
    covariance = n * sums.sum_xr - sums.sum_x * sums.sum_r
    spread_x = n * sums.sum_x2 - sums.sum_x**2
    spread_r = n * sums.sum_r2 - sums.sum_r**2
    if spread_x <= 1e-12 or spread_r <= 1e-12:
        return None
    return max(-1.0, min(1.0, covariance / math.sqrt(spread_x * spread_r)))


def item_variance(sums: ItemSums) -> float:
    return _variance(sums.n, sums.sum_x, sums.sum_x2) if sums.n else 0.0


def cronbach_alpha(items: Iterable[ItemSums], attempts: int) -> float | None:
    """Alpha for the quiz from the per-item sums; None when it is undefined.

    The attempt totals T never need to be fetched: sum of T is the sum of every item score, and
    sum of T^2 = sum over attempt rows of x * T = sum of (x^2 + x * r), because T is the sum of
    the scores in its attempt.
    """
    items = [item for item in items if item.n]
    if attempts < 2 or not items:
        return None
    sum_t = sum(item.sum_x for item in items)
    sum_t2 = sum(item.sum_x2 + item.sum_xr for item in items)
    total_variance = _variance(attempts, sum_t, sum_t2)
    k = sum(item.n for item in items) / attempts
    if k <= 1 or total_variance <= 1e-12:
        return None
    item_variances = sum(item.n / attempts * item_variance(item) for item in items)
    return k / (k - 1) * (1 - item_variances / total_variance)


def discrimination_flag(discrimination: float | None) -> str:
    """'negative', 'very low' or '' (fine, or not enough data to say)."""
    if discrimination is None:
        return ""
    if discrimination < 0:
        return "negative"
    if discrimination < LOW_DISCRIMINATION:
        return "very low"
    return ""


def tally_choices(
    kind: str, choice_ids: list[str], response_counts: Iterable[tuple[object, int]]
) -> dict[str, int]:
    """How often each option was picked, from (stored response, how many attempts gave it) pairs.

    single: the response is a choice id; multiple: a list of ids (each ticked id counts once);
    truefalse: a bool or "true"/"false", counted under the options "true" and "false". Responses
    naming no known option (an item edited since) are counted under "other".
    """
    counts: Counter[str] = Counter(dict.fromkeys(choice_ids, 0))
    for response, how_many in response_counts:
        if response is None:
            continue
        if kind == ItemKind.TRUEFALSE:
            picked = ["true" if str(response).strip().lower() in {"true", "t", "yes", "1"} else "false"]
        elif kind == ItemKind.MULTIPLE and isinstance(response, list):
            picked = list(dict.fromkeys(str(choice) for choice in response))
        else:
            picked = [str(response)]
        for choice in picked:
            counts[choice if choice in counts else "other"] += how_many
    return dict(counts)
