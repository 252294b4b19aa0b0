"""Pieces several kind forms share: tolerances, misconceptions, template parameters, the function lists."""

from __future__ import annotations

from typing import Any

from django import forms

from quizzes.engine.calculators import CALCULATORS
from quizzes.engine.expressions import AUTHOR_FUNCTIONS, CONSTANTS, STUDENT_FUNCTIONS
from quizzes.forms.kinds.base import (
    KindForm,
    LinesField,
    RowSet,
    TextField,
    YamlListField,
    YamlMappingField,
    YamlScalarField,
    optional,
    present,
    yaml_scalar_text,
)


def _names(names) -> str:
    return ", ".join(f"`{name}`" for name in sorted(names))


# The engine's whitelists, shown where expressions are typed (never a copy of them).
STUDENT_FUNCTIONS_NOTE = f"Functions a student's answer may use: {_names(STUDENT_FUNCTIONS)}."
AUTHOR_FUNCTIONS_NOTE = (
    f"Functions in template expressions and constraints: {_names(set(AUTHOR_FUNCTIONS) - CONSTANTS)}; "
    f"constants: {_names(CONSTANTS)}; names: the parameters above. Powers are `**` or `^`."
)
CALCULATORS_NOTE = f"Calculators: {_names(CALCULATORS)} (arguments as in docs/bank-format.md)."

TOLERANCE_MODES = [
    ("", "None given"),
    ("absolute", "absolute"),
    ("relative", "relative"),
    ("sigfigs", "significant figures"),
]


class ToleranceFields(forms.Form):
    tolerance_mode = forms.ChoiceField(label="Tolerance mode", choices=TOLERANCE_MODES, required=False)
    tolerance_value = YamlScalarField(
        label="Tolerance value", help_text="For significant figures: how many, e.g. 3."
    )


def tolerance_initial(spec: dict[str, Any]) -> dict[str, Any]:
    tolerance = spec.get("tolerance")
    if not isinstance(tolerance, dict):
        return {}
    return {
        "tolerance_mode": tolerance.get("mode", ""),
        "tolerance_value": yaml_scalar_text(tolerance.get("value")),
    }


def tolerance_spec(values: dict[str, Any]) -> dict[str, Any] | None:
    tolerance: dict[str, Any] = {}
    optional(tolerance, "mode", values.get("tolerance_mode"))
    optional(tolerance, "value", values.get("tolerance_value"))
    return tolerance or None


TOLERANCE_ALIASES = {"tolerance": "tolerance_value", "tolerance.mode": "tolerance_mode"}


class FeedbackRow(forms.Form):
    """A misconception whose answer is typed as it is stored (a number, or an expression)."""

    answer: forms.Field = YamlScalarField(label="Wrong answer")
    feedback = TextField(label="Feedback")


class ExpressionFeedbackRow(FeedbackRow):
    answer = forms.CharField(
        label="Wrong answer", required=False, widget=forms.TextInput(attrs={"spellcheck": "false"})
    )


def misconceptions_initial(spec: dict[str, Any], *, scalar: bool) -> list[dict[str, Any]]:
    rows = []
    for entry in spec.get("misconceptions") or []:
        answer = entry.get("answer") if isinstance(entry, dict) else None
        rows.append(
            {
                "answer": yaml_scalar_text(answer) if scalar else answer,
                "feedback": entry.get("feedback", "") if isinstance(entry, dict) else "",
            }
        )
    return rows


def misconceptions_spec(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [present(row, "answer", "feedback") for row in rows]


MISCONCEPTIONS = RowSet(
    FeedbackRow,
    "Misconceptions",
    "A wrong answer students often give, and the feedback it gets.",
    min_rows=0,
    row_label="Misconception",
)
EXPRESSION_MISCONCEPTIONS = RowSet(
    ExpressionFeedbackRow,
    "Misconceptions",
    "A wrong expression students often give, and the feedback it gets.",
    min_rows=0,
    row_label="Misconception",
)


def calculator_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((name, name) for name in sorted(CALCULATORS))]


class DefinitionRow(forms.Form):
    """A computed value: an expression over the parameters, or a calculator with its arguments."""

    expr = forms.CharField(
        label="Expression", required=False, widget=forms.TextInput(attrs={"spellcheck": "false"})
    )
    calc = forms.ChoiceField(label="or calculator", choices=calculator_choices, required=False)
    args = YamlMappingField(label="Calculator arguments", help_text="One `name: value` per line.")
    feedback = TextField(label="Feedback")


def definition_initial(definition: Any) -> dict[str, Any]:
    if isinstance(definition, dict):
        return {
            "expr": definition.get("expr", ""),
            "calc": definition.get("calc", ""),
            "args": definition.get("args"),
        }
    return {"expr": definition if definition is not None else ""}


def definition_spec(values: dict[str, Any], prefix: str = "") -> dict[str, Any] | None:
    expr, calc, args = (values.get(prefix + name) for name in ("expr", "calc", "args"))
    definition: dict[str, Any] = {}
    optional(definition, "expr", expr)
    optional(definition, "calc", calc)
    if args is not None:
        definition["args"] = args
    return definition or None


class ParamRow(forms.Form):
    name = forms.CharField(
        label="Name", required=False, widget=forms.TextInput(attrs={"spellcheck": "false", "class": "short"})
    )
    choices = YamlListField(label="Values", help_text="Comma-separated; or leave empty and give a range.")
    min = YamlScalarField(label="From")
    max = YamlScalarField(label="To")
    step = YamlScalarField(label="Step", help_text="Default 1.")
    paired = forms.BooleanField(
        label="Paired",
        required=False,
        help_text="Drawn together with the other paired parameters: the same position in each one's values.",
    )


PARAMS = RowSet(
    ParamRow,
    "Parameters",
    "Each variant draws one value per parameter: from the listed values, or from the grid from–to in steps.",
    min_rows=0,
    row_label="Parameter",
)


def params_initial(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    params = spec.get("params")
    for name, definition in (params or {}).items() if isinstance(params, dict) else []:
        definition = definition if isinstance(definition, dict) else {}
        rows.append(
            {
                "name": name,
                "choices": definition.get("choices"),
                **{field: yaml_scalar_text(definition.get(field)) for field in ("min", "max", "step")},
                "paired": definition.get("paired") is True,
            }
        )
    return rows


def params_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for row in rows:
        definition: dict[str, Any] = {}
        optional(definition, "choices", row.get("choices"))
        for field in ("min", "max", "step"):
            optional(definition, field, row.get(field))
        if row.get("paired"):
            definition["paired"] = True
        params[row.get("name") or ""] = definition
    return params


def param_position(rows: list[dict[str, Any]], name: str) -> int | None:
    return next((index for index, row in enumerate(rows) if row.get("name") == name), None)


class ConstraintsFields(forms.Form):
    constraints = LinesField(
        label="Constraints",
        help_text="One condition per line, e.g. `eta * g < 1`; a variant is redrawn until all hold.",
        widget=forms.Textarea(attrs={"rows": 2, "class": "code", "spellcheck": "false"}),
    )


class TemplateFields(ToleranceFields, ConstraintsFields):
    """The fields of every kind whose items draw template parameters: tolerance and constraints."""


class TemplateForm(KindForm):
    """What the forms of template kinds (calculation, table) share: the parameter rows (a problem naming
    one, `params.eta.min`, goes on the row called eta), the tolerance and the constraints."""

    rows = {"params": PARAMS}
    aliases = {**TOLERANCE_ALIASES, "params": "name"}

    def template_initial(
        self, spec: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """The shared fields' initial values, and the parameter rows."""
        initial = {"constraints": spec.get("constraints"), **tolerance_initial(spec)}
        return initial, {"params": params_initial(spec)}

    def row_by_name(self, field: str, name: str) -> int | None:
        return param_position(self._rows.get(field, []), name) if field == "params" else None
