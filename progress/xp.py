"""Experience points and the levels they buy. Django-free.

XP rewards learning something new, not repeating it: an item earns `ITEM_XP` the first time the
student answers it fully right, an exercise earns `EXERCISE_XP` the first time a submission passes.
Retaking a quiz to answer the same question again earns nothing more, so XP cannot be farmed.

Levels get progressively longer: level n starts at `LEVEL_STEP · n(n−1)/2` XP
(level 1 at 0, level 2 at 100, level 3 at 300, level 4 at 600, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ITEM_XP = 10
EXERCISE_XP = 50
LEVEL_STEP = 100


def level_start(level: int) -> int:
    """XP needed to reach `level` (1-based)."""
    if level < 1:
        raise ValueError(f"levels start at 1, got {level}")
    return LEVEL_STEP * level * (level - 1) // 2


@dataclass(frozen=True)
class XpLevel:
    level: int
    xp: int
    into_level: int  # XP earned since the level started
    span: int  # XP between this level's start and the next one's

    @property
    def fraction(self) -> float:
        return self.into_level / self.span


def xp_level(xp: int) -> XpLevel:
    if xp < 0:
        raise ValueError(f"XP cannot be negative, got {xp}")
    # Solve LEVEL_STEP · n(n−1)/2 ≤ xp for the largest n, then guard against float rounding.
    level = int((1 + math.sqrt(1 + 8 * xp / LEVEL_STEP)) / 2)
    while level_start(level + 1) <= xp:
        level += 1
    while level > 1 and level_start(level) > xp:
        level -= 1
    start, nxt = level_start(level), level_start(level + 1)
    return XpLevel(level=level, xp=xp, into_level=xp - start, span=nxt - start)
