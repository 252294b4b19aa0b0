"""What the single and multiple forms share: one row per choice (text, correct, fraction, feedback)."""

from __future__ import annotations

from typing import Any

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


class ChoiceRow(forms.Form):
    text = TextField(label="Choice")
    correct = forms.BooleanField(label="Correct", required=False)
    fraction = YamlScalarField(label="Fraction", help_text="Optional, -1 to 1.")
    feedback = TextField(label="Feedback")


class ShuffleFields(forms.Form):
    shuffle = DefaultBooleanField(label="Shuffle the choices", default=True)


class ChoicesForm(KindForm):
    fields = ShuffleFields
    rows = {
        "choices": RowSet(
            ChoiceRow,
            "Choices",
            "Markdown and {{placeholders}} work. Clear a row's text to remove it.",
            row_label="Choice",
        )
    }
    aliases = {"choices": "text"}

    def from_spec(self, spec):
        rows = [
            {
                "text": choice.get("text", ""),
                "correct": choice.get("correct") is True,
                "fraction": yaml_scalar_text(choice.get("fraction")),
                "feedback": choice.get("feedback", ""),
            }
            for choice in spec.get("choices") or []
            if isinstance(choice, dict)
        ]
        return {"shuffle": spec.get("shuffle"), **self.extra_initial(spec)}, {"choices": rows}

    def extra_initial(self, spec: dict[str, Any]) -> dict[str, Any]:
        return {}

    def to_spec(self, values, rows):
        choices = []
        for row in rows["choices"]:
            choice = present(row, "text")
            if row.get("correct"):
                choice["correct"] = True
            choice |= present(row, "fraction", "feedback")
            choices.append(choice)
        spec: dict[str, Any] = {"choices": choices}
        optional(spec, "shuffle", values.get("shuffle"))
        return spec
