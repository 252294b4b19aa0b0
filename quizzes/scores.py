"""The scale of every quiz score: a checked answer, an attempt, a quiz grade (Django-free).

The engine scores an answer in [0, FULL_MARKS]; an attempt's score is the mean of its items' scores,
so it lies on the same scale.
"""

FULL_MARKS = 1.0
# Scores are floats: a mean of full marks may arrive as 0.9999999999 and still count as full marks.
FULL_MARKS_TOLERANCE = 1e-9


def is_full_marks(score: float | None) -> bool:
    """Whether `score` (None counts as 0) is full marks, up to float rounding."""
    return (score or 0.0) >= FULL_MARKS - FULL_MARKS_TOLERANCE
