"""The calculation form: parameters with their ranges, the answer formula (or a calculator),
tolerance, units, constraints and misconceptions computed the same way as the answer."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import KindForm, RowSet, YamlMappingField, optional
from quizzes.forms.kinds.parts import (
    AUTHOR_FUNCTIONS_NOTE,
    CALCULATORS_NOTE,
    PARAMS,
    TOLERANCE_ALIASES,
    ConstraintsFields,
    DefinitionRow,
    ToleranceFields,
    calculator_choices,
    definition_initial,
    definition_spec,
    param_position,
    params_initial,
    params_spec,
    tolerance_initial,
    tolerance_spec,
)


class CalculationFields(ToleranceFields, ConstraintsFields):
    answer_expr = forms.CharField(
        label="Answer formula",
        required=False,
        help_text="An expression over the parameters, e.g. `eta * g`.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "wide"}),
    )
    answer_calc = forms.ChoiceField(label="or a calculator", choices=calculator_choices, required=False)
    answer_args = YamlMappingField(label="Calculator arguments", help_text="One `name: value` per line.")
    units = forms.CharField(label="Units", required=False)

    field_order = [
        "answer_expr",
        "answer_calc",
        "answer_args",
        "tolerance_mode",
        "tolerance_value",
        "units",
        "constraints",
    ]


class CalculationForm(KindForm):
    kind = "calculation"
    fields = CalculationFields
    rows = {
        "params": PARAMS,
        "misconceptions": RowSet(
            DefinitionRow,
            "Misconceptions",
            "A wrong answer computed per variant (expression or calculator), and its feedback.",
            min_rows=0,
            row_label="Misconception",
        ),
    }
    notes = [AUTHOR_FUNCTIONS_NOTE, CALCULATORS_NOTE]
    aliases = {
        **TOLERANCE_ALIASES,
        "answer": "answer_expr",
        "answer.calc": "answer_calc",
        "answer.args": "answer_args",
        "misconceptions.answer": "expr",
        "misconceptions.answer.expr": "expr",
        "misconceptions.answer.calc": "calc",
        "misconceptions.answer.args": "args",
        "params": "name",
        "constraints": "constraints",
    }

    def from_spec(self, spec):
        answer = {f"answer_{name}": value for name, value in definition_initial(spec.get("answer")).items()}
        initial = {
            **answer,
            "units": spec.get("units", ""),
            "constraints": spec.get("constraints"),
            **tolerance_initial(spec),
        }
        misconceptions = [
            {**definition_initial(entry.get("answer")), "feedback": entry.get("feedback", "")}
            for entry in spec.get("misconceptions") or []
            if isinstance(entry, dict)
        ]
        return initial, {"params": params_initial(spec), "misconceptions": misconceptions}

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        optional(spec, "params", params_spec(rows["params"]))
        optional(spec, "answer", definition_spec(values, "answer_"))
        optional(spec, "tolerance", tolerance_spec(values))
        optional(spec, "units", values.get("units"))
        optional(spec, "constraints", values.get("constraints"))
        misconceptions = []
        for row in rows["misconceptions"]:
            entry: dict[str, Any] = {}
            optional(entry, "answer", definition_spec(row))
            optional(entry, "feedback", row.get("feedback"))
            misconceptions.append(entry)
        optional(spec, "misconceptions", misconceptions)
        return spec

    def row_by_name(self, field, name):
        return param_position(self._rows.get(field, []), name) if field == "params" else None


FORM = CalculationForm
