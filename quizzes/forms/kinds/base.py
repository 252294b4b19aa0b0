"""What every per-kind authoring form shares: `KindForm`, its row sets and the YAML-exact fields.

A kind form turns the kind-specific part of an item (its *spec*, the same dict the YAML text area
yields) into form fields and back:

- `fields`: a `forms.Form` class for the single-valued fields (answer, tolerance, shuffle, ...);
- `rows`: repeating rows (choices, steps, parameters, pairs), each a `RowSet` whose rows are a
  formset. A row left blank is dropped, so deleting a row means clearing it;
- `from_spec(spec)` gives the initial values, `to_spec(values, rows)` the spec. The two must be
  exact inverses for every spec the form can show; `represents(spec)` checks that by posting the
  form to itself, and an item it cannot show opens in YAML only (nothing is ever silently lost).

Numbers are read and written as YAML scalars (`YamlScalarField`), so `1e-3`, `0.001` and `10`
are stored exactly as the YAML path stores them. Validation stays the engine's: the form only
checks what it must to build the dict, and `place_problem` puts the engine's "field: message"
texts on the matching input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory

EXTRA_ROWS = 2  # blank rows offered below the filled ones
MORE_ROWS = 3  # rows the "More rows" button adds
MAX_ROWS = 60

# "choices[2].fraction: must be ..." -> ("choices", "2", "fraction", "must be ...")
_PROBLEM_RE = re.compile(
    r"^(?P<field>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>[\w.]+))?: (?P<text>.*)$", re.S
)


def yaml_scalar_text(value: Any) -> str:
    """A scalar as the author would type it in YAML (what `parse_yaml_scalar` reads back unchanged)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True)
    return text.strip().removesuffix("...").strip()


def parse_yaml_scalar(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"cannot be read: {getattr(error, 'problem', None) or error}") from error
    if isinstance(value, dict | list):
        raise ValidationError("one value, please (not a list or mapping)")
    return value


class YamlScalarField(forms.CharField):
    """A number (or word) read as a YAML scalar; blank means the field is left out of the spec.

    Its initial value must already be text: `from_spec` passes values through `yaml_scalar_text`.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "short", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return parse_yaml_scalar(text) if text else None


def _yaml_read(text: str, unreadable: str):
    """`text` read as YAML, or a ValidationError starting with `unreadable` and saying what is wrong."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"{unreadable}: {getattr(error, 'problem', None) or error}") from error


class YamlListField(forms.CharField):
    """A comma-separated list of scalars (`0.1, 0.01, 0.001`), read as a YAML flow sequence."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(yaml_scalar_text(entry) for entry in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        loaded = _yaml_read(f"[{text}]", "cannot be read as a comma-separated list")
        if any(isinstance(entry, dict | list) for entry in loaded):
            raise ValidationError("plain values separated by commas, please")
        return loaded


class YamlMappingField(forms.CharField):
    """A small mapping typed as YAML lines (`name: value`), e.g. a calculator's arguments."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "code", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return yaml.safe_dump(
                value, sort_keys=False, allow_unicode=True, default_flow_style=False
            ).strip()
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        loaded = _yaml_read(text, "cannot be read")
        if not isinstance(loaded, dict):
            raise ValidationError("one `name: value` per line, please")
        return loaded


class LinesField(forms.CharField):
    """One entry per line; blank lines are dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(str(entry) for entry in value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class TextField(forms.CharField):
    """Markdown text kept exactly as typed (line breaks as `\\n`), in a small text area."""

    def __init__(self, *, rows: int = 2, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        text = (super().to_python(value) or "").replace("\r\n", "\n")
        return text if text.strip() else ""


class DefaultBooleanField(forms.TypedChoiceField):
    """A yes/no setting with a default: left at the default, the field stays out of the spec."""

    def __init__(self, *, default: bool, **kwargs):
        choices = [("", f"Default ({'yes' if default else 'no'})"), ("true", "Yes"), ("false", "No")]
        super().__init__(
            choices=choices, required=False, coerce=lambda text: text == "true", empty_value=None, **kwargs
        )

    def prepare_value(self, value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return value


def optional(spec: dict[str, Any], name: str, value: Any) -> None:
    """Put `value` in `spec` unless it is blank (None, "", [] or {})."""
    if value is not None and value != "" and value != [] and value != {}:
        spec[name] = value


def present(entry: dict[str, Any], *names: str) -> dict[str, Any]:
    """The entries of a row that were filled in."""
    out: dict[str, Any] = {}
    for name in names:
        optional(out, name, entry.get(name))
    return out


@dataclass(frozen=True)
class RowSet:
    """A repeating group of rows: `name` is the spec field the rows become (for error placement)."""

    form: type[forms.Form]
    label: str
    help_text: str = ""
    min_rows: int = 2
    row_label: str = ""  # the legend of one row ("Choice 3"); the group's label when empty


def row_is_blank(form: forms.Form) -> bool:
    """A row whose inputs are all empty (a lone ticked box does not count): it is dropped."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    return not any(
        value not in (None, "", [], False)
        for name, value in data.items()
        if not isinstance(form.fields[name], forms.BooleanField)
    )


class KindForm:
    """The kind-specific fields of one kind; see the module docstring. Subclass per kind."""

    kind: ClassVar[str]
    fields: ClassVar[type[forms.Form] | None] = None
    rows: ClassVar[dict[str, RowSet]] = {}
    # Shown next to the inputs: e.g. the functions an expression may use.
    notes: ClassVar[list[str]] = []
    # Engine field paths (indexes left out) -> the input their problems go on, where names differ.
    aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, data=None, *, spec: dict[str, Any] | None = None, more_rows: bool = False):
        initial, row_initial = self.from_spec(spec or {})
        self.bound = data is not None
        self.top_errors: list[str] = []
        if data is not None and any(f"{name}-TOTAL_FORMS" not in data for name in self.rows):
            # A post without a group's rows (not from this page) has no rows in it, not a broken form.
            data = data.copy()
            for name in self.rows:
                data.setdefault(f"{name}-TOTAL_FORMS", "0")
                data.setdefault(f"{name}-INITIAL_FORMS", "0")
        if data is not None and more_rows:
            data = data.copy()
            for name in self.rows:
                key = f"{name}-TOTAL_FORMS"
                try:
                    count = int(data.get(key, 0))
                except ValueError:
                    count = 0
                data[key] = str(min(MAX_ROWS, count + MORE_ROWS))
        self.main = self.fields(data, initial=initial, prefix="spec") if self.fields else None
        self.formsets: dict[str, BaseFormSet] = {}
        for name, rowset in self.rows.items():
            factory = formset_factory(
                rowset.form,
                extra=max(EXTRA_ROWS, rowset.min_rows - len(row_initial.get(name, []))),
                max_num=MAX_ROWS,
                absolute_max=MAX_ROWS,
            )
            self.formsets[name] = factory(data, initial=row_initial.get(name, []), prefix=name)
        self._kept: dict[str, list[int]] = {}
        self._rows: dict[str, list[dict[str, Any]]] = {}

    @property
    def groups(self) -> list[tuple[str, RowSet, BaseFormSet]]:
        """The repeating rows, for the template: (field name, its RowSet, its formset)."""
        return [(name, self.rows[name], self.formsets[name]) for name in self.rows]

    # ---- per kind ------------------------------------------------------------------------------
    def from_spec(self, spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        raise NotImplementedError

    def to_spec(self, values: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        raise NotImplementedError

    # ---- shared --------------------------------------------------------------------------------
    def is_valid(self) -> bool:
        valid = self.main.is_valid() if self.main is not None else True
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        return valid

    def spec(self) -> dict[str, Any]:
        """The spec from a valid bound form (call `is_valid` first)."""
        rows: dict[str, list[dict[str, Any]]] = {}
        for name, formset in self.formsets.items():
            kept = [index for index, form in enumerate(formset.forms) if not row_is_blank(form)]
            self._kept[name] = kept
            rows[name] = [formset.forms[index].cleaned_data for index in kept]
        self._rows = rows
        return self.to_spec(self.main.cleaned_data if self.main is not None else {}, rows)

    def error_list(self) -> list[str]:
        """Every form error as "field: message", for the summary at the top of the page."""
        problems = []
        if self.main is not None:
            problems += [f"{name}: {error}" for name, errors in self.main.errors.items() for error in errors]
        for name, formset in self.formsets.items():
            for index, row_errors in enumerate(formset.errors):
                by_field = cast(dict[str, list[str]], row_errors)  # one dict of field errors per row
                problems += [
                    f"{name} row {index + 1}, {field}: {error}"
                    for field, messages in by_field.items()
                    for error in messages
                ]
            problems += [f"{name}: {error}" for error in formset.non_form_errors()]
        return problems

    def place_problem(self, problem: str) -> bool:
        """Attach an engine problem ("field[index].sub: message") to its input; False if none fits."""
        match = _PROBLEM_RE.match(problem)
        if not match:
            return False
        field, index, rest, text = match.group("field", "index", "rest", "text")
        target = self.problem_target(field, int(index) if index is not None else None, rest or "")
        if target is None:
            return False
        form, input_name = target
        form.add_error(input_name, text)
        return True

    def problem_target(self, field: str, index: int | None, rest: str):
        """The (form, input name or None for the whole row) an engine problem belongs to."""
        if field in self.formsets:
            formset = self.formsets[field]
            kept = self._kept.get(field, list(range(len(formset.forms))))
            row = None
            if index is not None and index < len(kept):
                row = formset.forms[kept[index]]
            elif index is None and rest:
                name, _, rest = rest.partition(".")
                position = self.row_by_name(field, name)
                row = formset.forms[kept[position]] if position is not None and position < len(kept) else None
            if row is None:
                return None
            path = f"{field}.{rest}" if rest else field
            candidates = [
                self.aliases.get(path),
                rest.replace(".", "_"),
                rest.split(".")[-1],
                rest.split(".")[0],
            ]
            return row, next((name for name in candidates if name and name in row.fields), None)
        if self.main is None:
            return None
        path = f"{field}.{rest}" if rest else field
        candidates = [self.aliases.get(path), path.replace(".", "_"), self.aliases.get(field), field]
        input_name = next((name for name in candidates if name and name in self.main.fields), None)
        return (self.main, input_name) if input_name else None

    def row_by_name(self, field: str, name: str) -> int | None:
        """For rows keyed by a name (parameters): the position of the row called `name`."""
        return None

    def has_errors(self) -> bool:
        main = bool(self.main is not None and self.main.errors)
        return main or any(formset.total_error_count() for formset in self.formsets.values())

    # ---- round trip ----------------------------------------------------------------------------
    def as_data(self) -> dict[str, Any]:
        """What posting this (unbound) form unchanged would send: for the round-trip check."""
        data: dict[str, Any] = {}
        if self.main is not None:
            data |= _form_data(self.main)
        for formset in self.formsets.values():
            data |= _form_data(formset.management_form)
            for form in formset.forms:
                data |= _form_data(form)
        return data

    @classmethod
    def represents(cls, spec: dict[str, Any]) -> bool:
        """Whether the form shows `spec` without losing or changing anything."""
        try:
            shown = cls(spec=spec)
            posted = cls(_QueryDictLike(shown.as_data()))
            return posted.is_valid() and without_blanks(posted.spec()) == without_blanks(spec)
        except (TypeError, ValueError, AttributeError, KeyError):
            return False


def without_blanks(value: Any) -> Any:
    """`value` with blank entries ("", None, [], {}) left out of its mappings, at any depth.

    The engine reads a blank field as a missing one, and the form leaves blank fields out.
    """
    if isinstance(value, dict):
        return {
            name: without_blanks(entry) for name, entry in value.items() if entry not in ("", None, [], {})
        }
    if isinstance(value, list):
        return [without_blanks(entry) for entry in value]
    return value


class _QueryDictLike(dict):
    def getlist(self, key):
        value = self.get(key)
        return [] if value is None else (value if isinstance(value, list) else [value])

    def copy(self):
        return _QueryDictLike(self)


def _form_data(form: forms.Form) -> dict[str, Any]:
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        value = widget.format_value(value) if not isinstance(widget, forms.Select) else value
        data[bound.html_name] = "" if value is None else str(value)
    return data
