"""The true/false form: which truth value is right, and the feedback for each pick."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import KindForm, TextField, optional


class TrueFalseFields(forms.Form):
    answer = forms.TypedChoiceField(
        label="The statement in the stem is",
        choices=[("", "Choose…"), ("true", "True"), ("false", "False")],
        coerce=lambda text: text == "true",
        empty_value=None,
        required=False,
    )
    feedback_true = TextField(label="Feedback for “True”")
    feedback_false = TextField(label="Feedback for “False”")


class TrueFalseForm(KindForm):
    kind = "truefalse"
    fields = TrueFalseFields

    def from_spec(self, spec):
        answer = spec.get("answer")
        initial = {
            "answer": {True: "true", False: "false"}.get(answer, "") if isinstance(answer, bool) else "",
            "feedback_true": spec.get("feedback_true", ""),
            "feedback_false": spec.get("feedback_false", ""),
        }
        return initial, {}

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        optional(spec, "answer", values.get("answer"))
        optional(spec, "feedback_true", values.get("feedback_true"))
        optional(spec, "feedback_false", values.get("feedback_false"))
        return spec


FORM = TrueFalseForm
