"""The ordering form: the steps, one per row, in the correct order."""

from django import forms

from quizzes.forms.kinds.base import KindForm, RowSet, TextField


class StepRow(forms.Form):
    text = TextField(label="Step")


class OrderingForm(KindForm):
    kind = "ordering"
    rows = {
        "steps": RowSet(
            StepRow, "Steps, in the correct order", "Students see them shuffled.", row_label="Step"
        )
    }
    aliases = {"steps": "text"}

    def from_spec(self, spec):
        steps = spec.get("steps") or []
        return {}, {"steps": [{"text": step} for step in steps if isinstance(step, str)]}

    def to_spec(self, values, rows):
        return {"steps": [row["text"] for row in rows["steps"]]}


FORM = OrderingForm
