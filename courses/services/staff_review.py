"""What the course staff read of a student's finished attempt: per question, the item, the answer
given and its score. (The student's own review page, with feedback and keys, belongs to quizzes.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from quizzes.models import Attempt

MAX_SHOWN = 500  # characters of an answer shown; a long answer is cut, never the page


@dataclass(frozen=True)
class StaffItemRow:
    position: int
    label: str
    kind: str
    answer: str
    score: float | None
    answered_at: datetime | None


def _answer_text(response: object) -> str:
    if response is None:
        return ""
    text = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def attempt_items_for_staff(attempt: Attempt) -> list[StaffItemRow]:
    rows = attempt.attempt_items.select_related("item").order_by("position")
    return [
        StaffItemRow(
            position=row.position,
            label=row.item.title or row.item.key,
            kind=row.item.get_kind_display(),
            answer=_answer_text(row.response) if row.answered_at is not None else "",
            score=row.score if row.answered_at is not None else None,
            answered_at=row.answered_at,
        )
        for row in rows
    ]
