"""The symbolic form: the symbols a student may use, the key expression and misconceptions."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import KindForm, optional
from quizzes.forms.kinds.parts import (
    EXPRESSION_MISCONCEPTIONS,
    STUDENT_FUNCTIONS_NOTE,
    misconceptions_initial,
    misconceptions_spec,
)


class SymbolsField(forms.CharField):
    """Names separated by commas or spaces."""

    def prepare_value(self, value):
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [name for name in text.replace(",", " ").split() if name]


class SymbolicFields(forms.Form):
    symbols = SymbolsField(
        label="Symbols",
        required=False,
        help_text="The names a student may use, separated by commas, e.g. `beta, eta, g0`.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    answer = forms.CharField(
        label="Key expression",
        required=False,
        help_text="Over the symbols above, e.g. `beta**2*eta*g0 + eta*g1`.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "wide"}),
    )


class SymbolicForm(KindForm):
    kind = "symbolic"
    fields = SymbolicFields
    rows = {"misconceptions": EXPRESSION_MISCONCEPTIONS}
    notes = [STUDENT_FUNCTIONS_NOTE + " The key and misconceptions use the same list and the symbols."]

    def from_spec(self, spec):
        answer = spec.get("answer")
        initial = {"symbols": spec.get("symbols"), "answer": answer if isinstance(answer, str) else ""}
        return initial, {"misconceptions": misconceptions_initial(spec, scalar=False)}

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        optional(spec, "symbols", values.get("symbols"))
        optional(spec, "answer", values.get("answer"))
        optional(spec, "misconceptions", misconceptions_spec(rows["misconceptions"]))
        return spec


FORM = SymbolicForm
