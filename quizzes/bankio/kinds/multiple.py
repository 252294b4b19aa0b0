"""multiple items in Moodle XML and GIFT (shared with single in `choices.py`, which reads multichoice)."""

from quizzes.bankio.kinds.choices import choice_formats
from quizzes.engine.kinds import ItemKind

FORMATS = choice_formats(ItemKind.MULTIPLE, moodle_readers={})
