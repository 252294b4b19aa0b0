"""The essay form: what the grader reads, the answer box, and the answer's limits."""

from typing import Any

from django import forms

from quizzes.forms.kinds.base import KindForm, YamlScalarField, optional, yaml_scalar_text


class EssayFields(forms.Form):
    grader_info = forms.CharField(
        label="Information for the grader",
        required=False,
        strip=False,  # kept exactly as written, so an item opened here saves back unchanged
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown beside each answer in the needs-grading queue, never to students.",
    )
    response_template = forms.CharField(
        label="Starting text of the answer box",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An answer left exactly like this counts as not answered.",
    )
    response_format = forms.ChoiceField(
        label="Answer box",
        required=False,
        choices=[("", "(default: plain)"), ("plain", "plain text"), ("monospaced", "monospaced")],
    )
    response_lines = YamlScalarField(label="Box height (lines)")
    min_words = YamlScalarField(label="At least (words)")
    max_words = YamlScalarField(label="At most (words)")
    max_chars = YamlScalarField(label="At most (characters)", help_text="8000 at the most.")


NUMBERS = ("response_lines", "min_words", "max_words", "max_chars")


class EssayForm(KindForm):
    kind = "essay"
    fields = EssayFields
    notes = ["An essay is graded by hand from the quiz's or the course's needs-grading queue."]

    def from_spec(self, spec):
        initial: dict[str, Any] = {
            "grader_info": spec.get("grader_info", ""),
            "response_template": spec.get("response_template", ""),
            "response_format": spec.get("response_format", ""),
        }
        initial |= {name: yaml_scalar_text(spec.get(name)) for name in NUMBERS}
        return initial, {}

    def to_spec(self, values, rows):
        spec: dict[str, Any] = {}
        for name in ("grader_info", "response_template", "response_format", *NUMBERS):
            optional(spec, name, values.get(name))
        return spec


FORM = EssayForm
