"""The multiple-choice form: choices with one or more ticked correct, and the scoring rule."""

from django import forms

from quizzes.forms.kinds.base import optional
from quizzes.forms.kinds.choices import ChoicesForm, ShuffleFields


class MultipleFields(ShuffleFields):
    scoring = forms.ChoiceField(
        label="Scoring",
        required=False,
        choices=[
            ("", "Right picks minus wrong picks (default)"),
            ("fractions", "Sum of the picked choices' fractions"),
        ],
    )


class MultipleForm(ChoicesForm):
    kind = "multiple"
    fields = MultipleFields
    notes = [
        "Default score: right picks / correct choices − wrong picks / wrong choices, floored at 0. "
        "With “sum of fractions”, give each choice a fraction; the positive ones add up to 1."
    ]

    def extra_initial(self, spec):
        return {"scoring": spec.get("scoring", "")}

    def to_spec(self, values, rows):
        spec = super().to_spec(values, rows)
        optional(spec, "scoring", values.get("scoring"))
        return spec


FORM = MultipleForm
