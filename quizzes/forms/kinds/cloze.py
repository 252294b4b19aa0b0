"""The cloze form: a cloze has no fields of its own; its blanks are written in the stem."""

from quizzes.forms.kinds.base import KindForm


class ClozeForm(KindForm):
    kind = "cloze"
    notes = [
        "The blanks are written in the stem, in Moodle's embedded-answers syntax: "
        "`{1:NUMERICAL:=0.02:0.001#Right}`, `{1:MULTICHOICE:=sign~magnitude}`, "
        "`{2:SHORTANSWER:=momentum#Yes~*#No}`. The number before the type is the blank's weight; "
        "`=` marks the right answer, `%50%` a partly right one, `#` its feedback.",
        "Each blank is scored and fed back on its own; the item scores the weighted mean.",
    ]

    def from_spec(self, spec):
        return {}, {}

    def to_spec(self, values, rows):
        return {}


FORM = ClozeForm
