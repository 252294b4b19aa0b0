"""The item editor behind the create and edit pages: the common fields, and the kind-specific part
either as that kind's form (`quizzes/forms/kinds/`) or as YAML ("Advanced (YAML)").

Both ways end in the same item dict, which goes through the one validation (`item_problems`) and
the one save; the view only turns an `EditorOutcome` into a page or a redirect. Buttons post an
`action`: save, preview (draw one variant of the unsaved item), more (more blank rows), kind (show
the fields of the kind just chosen) and to_yaml / to_fields (switch tabs, carrying what was typed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from quizzes.engine.kinds import find_handler
from quizzes.forms.kinds import KindForm, form_for
from quizzes.forms.kinds.symbolic import SymbolsField
from quizzes.forms_authoring import KIND_EXAMPLES, ItemForm, item_form_initial
from quizzes.services.item_spec import COMMON_FIELDS, parse_spec, spec_as_yaml

FIELDS = "fields"
YAML = "yaml"
ACTIONS = frozenset({"save", "preview", "more", "kind", "to_yaml", "to_fields"})


class ItemExtrasForm(forms.Form):
    """Fields stored in `Item.spec` beside the kind's own that every kind may have (bank-format.md).

    A spec key that is neither the kind's nor listed here makes the item open as YAML only.
    """

    siblings = SymbolsField(
        label="Siblings",
        required=False,
        help_text="Keys of items of this bank that restate this one, separated by commas; "
        "siblings are never drawn into one attempt.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def spec(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}


EXTRA_FIELDS = frozenset(ItemExtrasForm.base_fields)


def split_spec(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the kind's part, the item-wide extras such as `siblings`) of a spec."""
    kind_part = {name: value for name, value in spec.items() if name not in EXTRA_FIELDS}
    return kind_part, {name: value for name, value in spec.items() if name in EXTRA_FIELDS}


def form_shows(kind_form_class: type[KindForm], spec: dict[str, Any]) -> bool:
    """Whether the form (kind fields and extras) shows `spec` exactly, so saving it loses nothing."""
    kind_part, extras = split_spec(spec)
    siblings = extras.get("siblings", [])
    plain_keys = isinstance(siblings, list) and all(
        isinstance(key, str) and key.split() == [key] and "," not in key for key in siblings
    )
    return plain_keys and kind_form_class.represents(kind_part)


def _extras(spec: dict[str, Any] | None = None, data=None) -> ItemExtrasForm:
    return ItemExtrasForm(data, initial=split_spec(spec or {})[1], prefix="item")


@dataclass
class Editor:
    """What the item form page shows."""

    form: ItemForm
    mode: str
    kind: str
    kind_form: KindForm | None = None
    extras: ItemExtrasForm | None = None  # with the kind's form only; in YAML the extras are in the text
    problems: list[str] = field(default_factory=list)  # every problem, for the summary
    unplaced: list[str] = field(default_factory=list)  # the ones no input could take
    notice: str = ""  # why the page shows what it shows (YAML only, kind switched...)
    item: dict[str, Any] | None = None  # the item dict, once the whole form was read without problems

    @property
    def has_form(self) -> bool:
        return form_for(self.kind) is not None

    @property
    def kind_label(self) -> str:
        handler = find_handler(self.kind)
        return handler.kind.label if handler is not None else self.kind

    @property
    def kind_notes(self) -> list[str]:
        """What the kind's form lists next to its inputs (allowed functions...), for the YAML tab too."""
        kind_form_class = form_for(self.kind)
        return list(kind_form_class.notes) if kind_form_class is not None else []


def _common_initial(data) -> dict[str, Any]:
    return {
        name: data.get(name, "")
        for name in ("key", "kind", "title", "stem", "explanation", "hints", "topics", "difficulty")
    }


def blank_editor(kind: str, *, mode: str | None = None) -> Editor:
    """A new item of `kind`, starting from its example, as its form unless YAML is asked for."""
    kind_form_class = form_for(kind)
    example = KIND_EXAMPLES[kind]
    mode = mode if mode in (FIELDS, YAML) else (FIELDS if kind_form_class else YAML)
    if kind_form_class is None:
        mode = YAML
    initial = {"kind": kind, "difficulty": 2, "spec": example}
    if mode == YAML:
        return Editor(ItemForm(initial=initial), YAML, kind)
    assert kind_form_class is not None  # mode is FIELDS only for a kind with a form
    spec, _ = parse_spec(example)
    return Editor(ItemForm(initial=initial), FIELDS, kind, kind_form_class(spec=spec), _extras())


def stored_editor(item: dict[str, Any], *, mode: str | None = None) -> Editor:
    """An existing item: as its kind's form when the form shows it exactly, else as YAML."""
    kind = item["kind"]
    spec = {name: value for name, value in item.items() if name not in COMMON_FIELDS}
    form = ItemForm(initial=item_form_initial(item))
    kind_form_class = form_for(kind)
    if mode == YAML or kind_form_class is None:
        return Editor(form, YAML, kind)
    if not form_shows(kind_form_class, spec):
        notice = "This item uses YAML the form cannot show exactly, so it opens as YAML."
        return Editor(form, YAML, kind, notice=notice)
    return Editor(form, FIELDS, kind, kind_form_class(spec=split_spec(spec)[0]), _extras(spec))


def posted_editor(data) -> tuple[Editor, str]:
    """The editor for a POST, and the action asked for. A POST without `mode` is the YAML form."""
    action = data.get("action", "save")
    action = action if action in ACTIONS else "save"
    if data.get("mode") != FIELDS:
        return _posted_yaml(data, action), action
    return _posted_fields(data, action), action


def _posted_yaml(data, action: str) -> Editor:
    kind = str(data.get("kind", ""))
    form = ItemForm(data)
    editor = Editor(form, YAML, kind)
    if action == "to_fields":
        kind_form_class = form_for(kind)
        spec, problems = parse_spec(data.get("spec", ""))
        if kind_form_class is None:
            editor.notice = "This kind has no form yet; it is edited as YAML."
        elif problems:
            editor.notice = "The YAML could not be read, so it stays here: " + "; ".join(problems)
        elif not form_shows(kind_form_class, spec):
            editor.notice = "The form cannot show this YAML exactly, so it stays here."
        else:
            kind_form = kind_form_class(spec=split_spec(spec)[0])
            return Editor(ItemForm(initial=_common_initial(data)), FIELDS, kind, kind_form, _extras(spec))
        editor.form = ItemForm(initial=_common_initial(data) | {"spec": data.get("spec", "")})
        return editor
    if form.is_valid():
        editor.item = form.to_item()
    else:
        editor.problems = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
        editor.unplaced = editor.problems
    return editor


def _posted_fields(data, action: str) -> Editor:
    kind = str(data.get("kind", ""))
    shown_kind = str(data.get("fields_kind", kind))
    if find_handler(kind) is None:
        kind = shown_kind
    kind_form_class = form_for(shown_kind) or form_for(kind)
    if kind_form_class is None:  # a forged post: start over in YAML
        return Editor(ItemForm(initial=_common_initial(data)), YAML, kind)
    if kind != shown_kind or action == "kind":
        return _switched_kind(data, shown_kind, kind)
    extras = _extras(data=data)
    if action == "more":
        kind_form = kind_form_class(data, more_rows=True)
        return Editor(ItemForm(initial=_common_initial(data)), FIELDS, kind, kind_form, extras)
    form = ItemForm(data)
    kind_form = kind_form_class(data)
    editor = Editor(form, FIELDS, kind, kind_form, extras)
    common_ok, kind_ok = form.is_valid(), kind_form.is_valid() and extras.is_valid()
    if action == "to_yaml":
        if kind_ok:
            spec = spec_as_yaml(kind_form.spec() | extras.spec())
            return Editor(ItemForm(initial=_common_initial(data) | {"spec": spec}), YAML, kind)
        editor.notice = "Fix the marked fields first: the YAML is written from them."
    if not (common_ok and kind_ok):
        editor.problems = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
        editor.problems += kind_form.error_list()
        editor.problems += [f"{name}: {error}" for name, errors in extras.errors.items() for error in errors]
        return editor
    editor.item = form.to_item(spec=kind_form.spec() | extras.spec())
    return editor


def _switched_kind(data, old_kind: str, new_kind: str) -> Editor:
    """The fields of `new_kind`, keeping whatever of the old kind's spec the new kind also has."""
    new_class = form_for(new_kind)
    common = ItemForm(initial=_common_initial(data) | {"kind": new_kind})
    old_class = form_for(old_kind)
    spec: dict[str, Any] = {}
    if old_class is not None:
        old_form = old_class(data)
        if old_form.is_valid():
            handler = find_handler(new_kind)
            fields = handler.fields if handler is not None else frozenset()
            spec = {name: value for name, value in old_form.spec().items() if name in fields}
    if new_class is None:
        extras = _extras(data=data)
        spec |= extras.spec() if extras.is_valid() else {}
        yaml_text = spec_as_yaml(spec) if spec else KIND_EXAMPLES.get(new_kind, "")
        common = ItemForm(initial=_common_initial(data) | {"kind": new_kind, "spec": yaml_text})
        return Editor(common, YAML, new_kind, notice="This kind has no form yet; it is edited as YAML.")
    if not spec:
        spec, _ = parse_spec(KIND_EXAMPLES.get(new_kind, ""))
        notice = "The fields of the new kind start from its example."
    else:
        notice = "The fields both kinds share were kept."
    return Editor(common, FIELDS, new_kind, new_class(spec=spec), _extras(data=data), notice=notice)


def place_problems(editor: Editor, problems: list[str]) -> None:
    """Put each engine problem on its input where one fits; the rest stay for the top of the page."""
    editor.problems = problems
    editor.unplaced = []
    for problem in problems:
        name, _, text = problem.partition(": ")
        if editor.mode == FIELDS and name in editor.form.fields and name != "spec" and text:
            editor.form.add_error(name, text)
        elif editor.extras is not None and name in editor.extras.fields and text:
            editor.extras.add_error(name, text)
        elif (
            editor.mode == FIELDS and editor.kind_form is not None and editor.kind_form.place_problem(problem)
        ):
            continue
        else:
            editor.unplaced.append(problem)
