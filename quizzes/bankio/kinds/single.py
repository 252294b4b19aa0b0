"""single items in Moodle XML and GIFT: the mapping multiple shares (`choices.py`).

Moodle's multichoice reader is registered here and gives a single or a multiple item, as the file says.
"""

from quizzes.bankio.kinds.choices import fallback_explanation, write_gift, write_moodle
from quizzes.bankio.kinds.choices import read_multichoice as read_moodle

MOODLE_TYPES = ("multichoice",)

__all__ = ["MOODLE_TYPES", "fallback_explanation", "read_moodle", "write_gift", "write_moodle"]
