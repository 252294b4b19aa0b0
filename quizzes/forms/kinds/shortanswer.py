"""The short-answer form: accepted answers with their fractions and feedback, and case sensitivity."""

from django import forms

from quizzes.forms.kinds.base import (
    DefaultBooleanField,
    KindForm,
    RowSet,
    TextField,
    YamlScalarField,
    optional,
    present,
    yaml_scalar_text,
)


class AnswerRow(forms.Form):
    text = TextField(label="Accepted answer", rows=1, help_text="`*` matches any characters.")
    fraction = YamlScalarField(label="Fraction", help_text="0 to 1; default 1.")
    feedback = TextField(label="Feedback")


class ShortAnswerFields(forms.Form):
    case_sensitive = DefaultBooleanField(label="Case-sensitive", default=False)


class ShortAnswerForm(KindForm):
    kind = "shortanswer"
    fields = ShortAnswerFields
    rows = {
        "answers": RowSet(
            AnswerRow, "Accepted answers", "At least one with fraction 1.", min_rows=1, row_label="Answer"
        )
    }
    aliases = {"answers": "text"}
    notes = ["Spaces are normalised and case is ignored unless case-sensitive; `\\*` is a literal star."]

    def from_spec(self, spec):
        rows = [
            {
                "text": answer.get("text", ""),
                "fraction": yaml_scalar_text(answer.get("fraction")),
                "feedback": answer.get("feedback", ""),
            }
            for answer in spec.get("answers") or []
            if isinstance(answer, dict)
        ]
        return {"case_sensitive": spec.get("case_sensitive")}, {"answers": rows}

    def to_spec(self, values, rows):
        spec = {"answers": [present(row, "text", "fraction", "feedback") for row in rows["answers"]]}
        optional(spec, "case_sensitive", values.get("case_sensitive"))
        return spec


FORM = ShortAnswerForm
