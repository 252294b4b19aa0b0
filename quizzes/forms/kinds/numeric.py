"""The numeric form: the answer, its tolerance and units, and misconceptions with feedback."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import KindForm, YamlScalarField, optional, yaml_scalar_text
from quizzes.forms.kinds.parts import (
    MISCONCEPTIONS,
    TOLERANCE_ALIASES,
    ToleranceFields,
    misconceptions_initial,
    misconceptions_spec,
    tolerance_initial,
    tolerance_spec,
)


class NumericFields(ToleranceFields):
    answer = YamlScalarField(label="Answer", help_text="A number, e.g. 10, 0.001 or 1e-3.")
    units = forms.CharField(label="Units", required=False, help_text="Optional, shown next to the input.")

    field_order = ["answer", "tolerance_mode", "tolerance_value", "units"]


class NumericForm(KindForm):
    kind = "numeric"
    fields = NumericFields
    rows = {"misconceptions": MISCONCEPTIONS}
    aliases = TOLERANCE_ALIASES

    def from_spec(self, spec):
        initial = {
            "answer": yaml_scalar_text(spec.get("answer")),
            "units": spec.get("units", ""),
            **tolerance_initial(spec),
        }
        return initial, {"misconceptions": misconceptions_initial(spec, scalar=True)}

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        optional(spec, "answer", values.get("answer"))
        optional(spec, "tolerance", tolerance_spec(values))
        optional(spec, "units", values.get("units"))
        optional(spec, "misconceptions", misconceptions_spec(rows["misconceptions"]))
        return spec


FORM = NumericForm
