"""The description form: a description has no fields of its own (the stem is the whole item)."""

from quizzes.forms.kinds.base import KindForm


class DescriptionForm(KindForm):
    kind = "description"
    notes = ["A description has only its stem (and an optional explanation): no answer, no score."]

    def from_spec(self, spec):
        return {}, {}

    def to_spec(self, values, rows):
        return {}


FORM = DescriptionForm
