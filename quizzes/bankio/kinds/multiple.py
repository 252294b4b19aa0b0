"""multiple items in Moodle XML and GIFT: the mapping single shares (`choices.py`); single reads multichoice."""

from quizzes.bankio.kinds.choices import fallback_explanation, write_gift, write_moodle

__all__ = ["fallback_explanation", "write_gift", "write_moodle"]
