"""Forms for the instructor authoring pages, and the commented YAML examples they start from."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from quizzes.bankio import format_for_filename
from quizzes.bankio.limits import human_size
from quizzes.engine.kinds import HANDLERS
from quizzes.models import Bank, ItemKind
from quizzes.services.import_limits import import_limits
from quizzes.services.item_spec import COMMON_FIELDS, parse_spec, spec_as_yaml

ITEM_KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOPIC_SLUG_PATTERN = ITEM_KEY_PATTERN
DETECT_FORMAT = "detect"
BANK_FORMATS = [("yaml", "YAML (Descent bank file)"), ("moodle-xml", "Moodle XML"), ("gift", "GIFT")]

# One commented example per kind (each kind's handler holds its own), in the exact shape of
# docs/bank-format.md minus the common fields. A new item starts from the example for its kind.
KIND_EXAMPLES: dict[str, str] = {kind.value: handler.example for kind, handler in HANDLERS.items()}


class BankForm(forms.ModelForm):
    class Meta:
        model = Bank
        fields = ["slug", "name", "description"]
        help_texts = {"slug": "Unique; lower-case letters, digits and hyphens.", "description": "Markdown."}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


def topic_slugs(text: str) -> list[str]:
    """The topic slugs of a comma-separated form field, repeats dropped, in the author's order."""
    slugs = [part.strip() for part in text.split(",") if part.strip()]
    bad = [slug for slug in slugs if not TOPIC_SLUG_PATTERN.match(slug)]
    if bad:
        raise ValidationError(f"Not a topic slug: {', '.join(bad)} (lower-case letters, digits, hyphens).")
    return list(dict.fromkeys(slugs))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ItemForm(forms.Form):
    """The common fields as inputs and the kind-specific part as YAML.

    `to_item()` gives the engine dict; form errors cover only what the form itself can see
    (types, slugs, YAML syntax). Whether the item makes sense is the engine's call.
    """

    key = forms.CharField(max_length=120, help_text="Stable id, unique in the bank: a-z, 0-9 and hyphens.")
    kind = forms.ChoiceField(choices=ItemKind.choices)
    title = forms.CharField(max_length=200, required=False)
    stem = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown, $LaTeX$, {{name}}.")
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Shown after answering."
    )
    hints = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    topics = forms.CharField(required=False, help_text="Topic slugs, comma-separated; new ones are created.")
    difficulty = forms.IntegerField(min_value=1, max_value=5, initial=2)
    spec = forms.CharField(
        label="Kind-specific fields (YAML)",
        widget=forms.Textarea(attrs={"rows": 18, "class": "code", "spellcheck": "false"}),
        required=False,
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not ITEM_KEY_PATTERN.match(key):
            raise ValidationError("Use lower-case letters, digits and single hyphens, e.g. sgd-update-size.")
        return key

    def clean_topics(self) -> list[str]:
        return topic_slugs(self.cleaned_data["topics"])

    def clean_hints(self) -> list[str]:
        return _lines(self.cleaned_data["hints"])

    def clean_spec(self) -> dict:
        spec, problems = parse_spec(self.cleaned_data["spec"])
        if problems:
            raise ValidationError(problems)
        return spec

    def to_item(self, spec: dict | None = None) -> dict:
        """The item dict; `spec` (from a kind's form) stands in for the YAML text area."""
        data = self.cleaned_data
        return {
            "key": data["key"],
            "kind": data["kind"],
            "title": data["title"],
            "topics": data["topics"],
            "difficulty": data["difficulty"],
            "stem": data["stem"],
            "explanation": data["explanation"],
            "hints": data["hints"],
            **(data["spec"] if spec is None else spec),
        }


def item_form_initial(item: dict) -> dict:
    """Form initial values from an engine item dict (the inverse of `ItemForm.to_item`)."""
    return {
        "key": item["key"],
        "kind": item["kind"],
        "title": item.get("title", ""),
        "stem": item.get("stem", ""),
        "explanation": item.get("explanation", ""),
        "hints": "\n".join(item.get("hints", [])),
        "topics": ", ".join(item.get("topics", [])),
        "difficulty": item.get("difficulty", 2),
        "spec": spec_as_yaml({name: value for name, value in item.items() if name not in COMMON_FIELDS}),
    }


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *ItemKind.choices], required=False)
    topic = forms.CharField(required=False)


class SeedForm(forms.Form):
    seed = forms.IntegerField(min_value=0, max_value=2**63 - 1, initial=1)


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A bank file; or paste its text below.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12, "class": "code"}), required=False)
    fmt = forms.ChoiceField(
        label="Format",
        choices=[(DETECT_FORMAT, "From the file name (.yaml, .xml, .gift)"), *BANK_FORMATS],
        initial=DETECT_FORMAT,
    )
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.all(),
        required=False,
        empty_label="The bank named in the file",
        help_text="Import into this bank instead of the one the file names.",
    )
    replace = forms.BooleanField(
        required=False,
        initial=True,
        label="Make the bank match the file",
        help_text="Items of the bank that are missing from the file are deleted.",
    )

    def clean(self):
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text.strip():
            raise ValidationError("Upload a file or paste text, not both.")
        if not upload and not text.strip():
            raise ValidationError("Upload a file or paste the bank's text.")
        if upload:
            # Bank files are text of modest size; checked before the upload is read into memory.
            max_bytes = import_limits().max_bytes
            if upload.size > max_bytes:
                raise ValidationError(
                    f"The file is {human_size(upload.size)}, more than the {human_size(max_bytes)} "
                    "a bank import accepts."
                )
            raw = upload.read()
            try:
                cleaned["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    f"The file is not UTF-8 text (byte {exc.start} cannot be read)."
                ) from exc
            cleaned["filename"] = upload.name
        else:
            cleaned["filename"] = ""
        if cleaned.get("fmt") == DETECT_FORMAT:
            cleaned["fmt"] = format_for_filename(cleaned["filename"])
            if cleaned["fmt"] is None:
                raise ValidationError("Choose the format: it cannot be told from the file name.")
        return cleaned


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label="Format", choices=BANK_FORMATS, initial="yaml")


def try_it_response(kind: str, data) -> object:
    """The preview's try-it form as the engine's response for `kind` (see the engine contract).

    Inputs: `answer` (text, true/false), `choice` (one or several ids), `pos_<step id>` (the position
    a step was given; blanks go last), `match_<prompt id>` (matching), `blank-<number>` (cloze) and
    `cell_<name>` (table cells).
    """
    if kind == ItemKind.SINGLE:
        return data.get("choice", "")
    if kind == ItemKind.MULTIPLE:
        return data.getlist("choice")
    if kind == ItemKind.ORDERING:
        positions = {
            name[len("pos_") :]: value.strip() for name, value in data.items() if name.startswith("pos_")
        }

        def place(step_id: str) -> tuple[int, float]:
            text = positions[step_id]
            try:
                return (0, float(text))
            except ValueError:
                return (1, 0.0)

        return sorted(positions, key=place)
    if kind == ItemKind.MATCHING:
        return {name[len("match_") :]: value for name, value in data.items() if name.startswith("match_")}
    if kind == ItemKind.TABLE:
        return {name[len("cell_") :]: value for name, value in data.items() if name.startswith("cell_")}
    if kind == ItemKind.CLOZE:  # a blank of several picks posts one value per ticked box
        blanks = {name[len("blank-") :]: data.getlist(name) for name in data if name.startswith("blank-")}
        return {
            number: values if len(values) > 1 else values[0] for number, values in blanks.items() if values
        }
    return data.get("answer", "")
