"""calculation items (templates) to and from Moodle's calculated questions; one fixed variant for GIFT.

Reading a calculated question is in `reading.py`, writing one (and the GIFT variant) in `writing.py`;
both list a template's value sets with `value_sets.py`.
"""

from quizzes.bankio.kinds.calculation.reading import MOODLE_TYPES, fallback_explanation, read_moodle
from quizzes.bankio.kinds.calculation.writing import write_gift, write_moodle

__all__ = ["MOODLE_TYPES", "fallback_explanation", "read_moodle", "write_gift", "write_moodle"]
