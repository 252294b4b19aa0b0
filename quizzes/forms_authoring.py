"""Forms for the instructor authoring pages, and the commented YAML examples they start from."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from quizzes.bankio import format_for_filename
from quizzes.models import Bank, ItemKind
from quizzes.services.authoring import COMMON_FIELDS, parse_spec, spec_as_yaml

ITEM_KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOPIC_SLUG_PATTERN = ITEM_KEY_PATTERN
DETECT_FORMAT = "detect"
BANK_FORMATS = [("yaml", "YAML (Descent bank file)"), ("moodle-xml", "Moodle XML"), ("gift", "GIFT")]

# One commented example per kind, in the exact shape of docs/bank-format.md minus the common
# fields. A new item starts from the example for its kind, so authors see every field by name.
KIND_EXAMPLES: dict[str, str] = {
    ItemKind.SINGLE: """\
# Exactly one choice is correct. Feedback is optional; it is shown when that choice was picked.
choices:
  - text: It keeps a decaying sum of past gradients, so directions that keep flipping cancel out
    correct: true
    feedback: Yes. Steady directions build up speed while oscillating ones damp each other.
  - text: It lowers the learning rate a little after every step
    feedback: That is a learning-rate schedule, not momentum.
  - text: It divides each coordinate's step by the size of its past gradients
    feedback: That is the idea behind AdaGrad and RMSProp.
shuffle: true          # default true
""",
    ItemKind.MULTIPLE: """\
# One or more choices are correct. Score = max(0, (right picks - wrong picks) / number of correct choices).
choices:
  - text: Adam keeps an exponentially weighted average of the gradients
    correct: true
  - text: Adam keeps an exponentially weighted average of the squared gradients
    correct: true
  - text: Adam needs no learning rate at all
    feedback: It still has one; the usual default is 0.001.
shuffle: true
""",
    ItemKind.TRUEFALSE: """\
# The statement itself goes in the stem. Example stem: "Adam's bias correction matters most late in training."
answer: false
feedback_true: The correction divides by 1 - beta^t, which is close to 1 once t is large.
feedback_false: Right; it matters in the first steps, while the averages are still near their zero start.
""",
    ItemKind.ORDERING: """\
# List the steps in the correct order; students see them shuffled.
steps:
  - Check that the logged loss and metrics are computed correctly
  - Tune the learning rate
  - Choose the optimizer
  - Add a learning-rate schedule
  - Add stabilizers such as gradient clipping or warmup
""",
    ItemKind.NUMERIC: """\
# Example stem: "With beta = 0.9, roughly how many recent gradients does the momentum average over?"
answer: 10
tolerance: {mode: relative, value: 1e-3}   # absolute | relative | sigfigs (value = significant figures)
units: ""                                  # optional, shown next to the input
misconceptions:
  - answer: 0.9
    feedback: That is beta itself; the effective number of gradients is 1 / (1 - beta).
""",
    ItemKind.CALCULATION: """\
# Placeholders such as {{eta}} and {{answer}} in the stem and explanation are filled per variant.
params:
  eta: {choices: [0.1, 0.01, 0.001]}
  g: {min: 5, max: 50, step: 1}          # inclusive grid; step defaults to 1
answer:
  expr: eta * g                         # a SymPy expression over the parameters
# or a calculator running the reference optimizers:
# answer: {calc: momentum_position, args: {optimizer: momentum, steps: 3}}
tolerance: {mode: relative, value: 1e-6}
constraints: ["eta * g < 1"]             # optional; a variant is redrawn until every one holds
misconceptions:
  - answer: {expr: g / eta}
    feedback: That divides by the learning rate instead of multiplying.
""",
    ItemKind.SYMBOLIC: """\
# Students may use only these symbols, plus sqrt, exp, log and abs.
symbols: [beta, eta, g0, g1, g2]
answer: beta**2*eta*g0 + beta*eta*g1 + eta*g2
misconceptions:
  - answer: eta*(g0 + g1 + g2)
    feedback: Each older gradient is discounted by one more factor of beta.
""",
    ItemKind.TABLE: """\
# Students fill one cell per column and step (here m1, theta1, m2, theta2). A cell that follows
# correctly from the student's own earlier cells is accepted as "carried forward".
table:
  calc: momentum_table
  args: {optimizer: momentum-lr-inside, problem: parabola, theta0: 10, lr: 0.1, beta: 0.9}
  rows: 2
  columns: [m, theta]
tolerance: {mode: absolute, value: 0.005}
params: {}                             # optional, as for calculation items
""",
}


class BankForm(forms.ModelForm):
    class Meta:
        model = Bank
        fields = ["slug", "name", "description"]
        help_texts = {"slug": "Unique; lower-case letters, digits and hyphens.", "description": "Markdown."}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


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
        slugs = [part.strip() for part in self.cleaned_data["topics"].split(",") if part.strip()]
        bad = [slug for slug in slugs if not TOPIC_SLUG_PATTERN.match(slug)]
        if bad:
            raise ValidationError(
                f"Not a topic slug: {', '.join(bad)} (lower-case letters, digits, hyphens)."
            )
        return list(dict.fromkeys(slugs))  # drop repeats, keep order

    def clean_hints(self) -> list[str]:
        return _lines(self.cleaned_data["hints"])

    def clean_spec(self) -> dict:
        spec, problems = parse_spec(self.cleaned_data["spec"])
        if problems:
            raise ValidationError(problems)
        return spec

    def to_item(self) -> dict:
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
            **data["spec"],
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

    # Bank files are text of modest size; a bigger upload is almost certainly the wrong file.
    MAX_BYTES = 5 * 1024 * 1024

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text.strip():
            raise ValidationError("Upload a file or paste text, not both.")
        if not upload and not text.strip():
            raise ValidationError("Upload a file or paste the bank's text.")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise ValidationError(f"The file is larger than {self.MAX_BYTES // (1024 * 1024)} MB.")
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
    a step was given; blanks go last) and `cell_<name>` (table cells).
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
    if kind == ItemKind.TABLE:
        return {name[len("cell_") :]: value for name, value in data.items() if name.startswith("cell_")}
    return data.get("answer", "")
