"""The single-choice form: choices with exactly one ticked correct."""

from quizzes.forms.kinds.choices import ChoicesForm


class SingleForm(ChoicesForm):
    kind = "single"
    notes = ["Tick exactly one correct choice. A wrong choice may carry a fraction (partial credit)."]


FORM = SingleForm
