"""The calculation form: parameters with their ranges, the answer formula (or a calculator),
tolerance, units, constraints and misconceptions computed the same way as the answer."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import (
    RowSet,
    TextField,
    YamlMappingField,
    YamlScalarField,
    optional,
    yaml_scalar_text,
)
from quizzes.forms.kinds.parts import (
    AUTHOR_FUNCTIONS_NOTE,
    CALCULATORS_NOTE,
    DefinitionRow,
    TemplateFields,
    TemplateForm,
    calculator_choices,
    definition_initial,
    definition_spec,
    params_spec,
    tolerance_spec,
)


class CalculationFields(TemplateFields):
    answer_expr = forms.CharField(
        label="Answer formula",
        required=False,
        help_text="An expression over the parameters, e.g. `eta * g`.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "wide"}),
    )
    answer_calc = forms.ChoiceField(label="or a calculator", choices=calculator_choices, required=False)
    answer_args = YamlMappingField(label="Calculator arguments", help_text="One `name: value` per line.")
    units = forms.CharField(label="Units", required=False)
    answer_format_mode = forms.ChoiceField(
        label="Show the correct answer with",
        choices=[
            ("", "up to 6 significant figures"),
            ("decimals", "decimal places"),
            ("sigfigs", "significant figures"),
        ],
        required=False,
    )
    answer_format_value = YamlScalarField(label="How many", help_text="Places or figures, e.g. 3.")
    answer_feedback = TextField(label="Feedback on a right answer")

    field_order = [
        "answer_expr",
        "answer_calc",
        "answer_args",
        "tolerance_mode",
        "tolerance_value",
        "answer_format_mode",
        "answer_format_value",
        "units",
        "answer_feedback",
        "constraints",
    ]


class CalculationForm(TemplateForm):
    kind = "calculation"
    fields = CalculationFields
    rows = {
        **TemplateForm.rows,
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
        **TemplateForm.aliases,
        "answer": "answer_expr",
        "answer.calc": "answer_calc",
        "answer.args": "answer_args",
        "answer_format": "answer_format_value",
        "misconceptions.answer": "expr",
        "misconceptions.answer.expr": "expr",
        "misconceptions.answer.calc": "calc",
        "misconceptions.answer.args": "args",
        "constraints": "constraints",
    }

    def from_spec(self, spec):
        answer = {f"answer_{name}": value for name, value in definition_initial(spec.get("answer")).items()}
        answer_format = spec.get("answer_format")
        mode, count = (
            next(iter(answer_format.items()))
            if isinstance(answer_format, dict) and answer_format
            else ("", None)
        )
        initial, rows = self.template_initial(spec)
        initial.update(
            answer,
            answer_format_mode=mode,
            answer_format_value=yaml_scalar_text(count),
            answer_feedback=spec.get("answer_feedback", ""),
            units=spec.get("units", ""),
        )
        rows["misconceptions"] = [
            {**definition_initial(entry.get("answer")), "feedback": entry.get("feedback", "")}
            for entry in spec.get("misconceptions") or []
            if isinstance(entry, dict)
        ]
        return initial, rows

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        optional(spec, "params", params_spec(rows["params"]))
        optional(spec, "answer", definition_spec(values, "answer_"))
        optional(spec, "tolerance", tolerance_spec(values))
        optional(spec, "units", values.get("units"))
        if values.get("answer_format_mode"):
            spec["answer_format"] = {values["answer_format_mode"]: values.get("answer_format_value")}
        optional(spec, "answer_feedback", values.get("answer_feedback"))
        optional(spec, "constraints", values.get("constraints"))
        misconceptions = []
        for row in rows["misconceptions"]:
            entry: dict[str, Any] = {}
            optional(entry, "answer", definition_spec(row))
            optional(entry, "feedback", row.get("feedback"))
            misconceptions.append(entry)
        optional(spec, "misconceptions", misconceptions)
        return spec


FORM = CalculationForm
