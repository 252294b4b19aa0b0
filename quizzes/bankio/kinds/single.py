"""single items in Moodle XML and GIFT (shared with multiple in `choices.py`).

Moodle's multichoice reader is registered here and gives a single or a multiple item, as the file says.
"""

from quizzes.bankio.kinds.choices import choice_formats, read_multichoice
from quizzes.engine.kinds import ItemKind

FORMATS = choice_formats(ItemKind.SINGLE, moodle_readers={"multichoice": read_multichoice})
