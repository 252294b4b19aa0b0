"""The table form: the table calculator, its arguments, rows and columns; tolerance; parameters."""

from typing import Any

from django import forms

from quizzes.engine.table_calculators import TABLE_CALCULATORS
from quizzes.forms.kinds.base import YamlMappingField, YamlScalarField, optional, yaml_scalar_text
from quizzes.forms.kinds.parts import (
    AUTHOR_FUNCTIONS_NOTE,
    TemplateFields,
    TemplateForm,
    params_spec,
    tolerance_spec,
)
from quizzes.forms.kinds.symbolic import SymbolsField


class TableFields(TemplateFields):
    table_calc = forms.ChoiceField(
        label="Table calculator",
        choices=lambda: [("", "Choose…"), *((name, name) for name in sorted(TABLE_CALCULATORS))],
        required=False,
    )
    table_args = YamlMappingField(
        label="Calculator arguments",
        help_text="One `name: value` per line; a value may name a parameter below.",
    )
    table_rows = YamlScalarField(label="Rows (steps)", help_text="How many steps the student fills in.")
    table_columns = SymbolsField(
        label="Columns",
        required=False,
        help_text="Column names separated by commas, e.g. `m, theta`; cells are named column + step (m1, theta1, …).",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    field_order = [
        "table_calc",
        "table_args",
        "table_rows",
        "table_columns",
        "tolerance_mode",
        "tolerance_value",
        "constraints",
    ]


class TableForm(TemplateForm):
    kind = "table"
    fields = TableFields
    notes = [
        f"Table calculators: {', '.join(f'`{name}`' for name in sorted(TABLE_CALCULATORS))}.",
        AUTHOR_FUNCTIONS_NOTE,
    ]
    aliases = {
        **TemplateForm.aliases,
        "table": "table_calc",
        "table.calc": "table_calc",
        "table.args": "table_args",
        "table.rows": "table_rows",
        "table.columns": "table_columns",
    }

    def from_spec(self, spec):
        table = spec.get("table") if isinstance(spec.get("table"), dict) else {}
        initial, rows = self.template_initial(spec)
        initial.update(
            table_calc=table.get("calc", ""),
            table_args=table.get("args"),
            table_rows=yaml_scalar_text(table.get("rows")),
            table_columns=table.get("columns"),
        )
        return initial, rows

    def to_spec(self, values, rows):
        table: dict[str, Any] = {}
        optional(table, "calc", values.get("table_calc"))
        if values.get("table_args") is not None:
            table["args"] = values["table_args"]
        optional(table, "rows", values.get("table_rows"))
        optional(table, "columns", values.get("table_columns"))
        spec = {"table": table}
        optional(spec, "tolerance", tolerance_spec(values))
        optional(spec, "params", params_spec(rows["params"]))
        optional(spec, "constraints", values.get("constraints"))
        return spec


FORM = TableForm
