"""The forms of the exercise authoring pages. They only turn text into the content dict; the rules
are the loader's (`grading.exercises.loader`), applied by `grading.services.authoring`."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms

from grading.authoring.zipio import MAX_ZIP_BYTES
from grading.exercises.loader import MAX_SLUG_LENGTH
from grading.reference import COMPOSED_REFERENCES
from optimlab.optimizers import OPTIMIZERS

MAX_YAML_CHARS = 8000
MAX_TEXT_CHARS = 60_000
CODE = forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"})


def optimizer_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in (*OPTIMIZERS, *COMPOSED_REFERENCES)]


def _yaml(text: str, what: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise forms.ValidationError(f"This is not valid YAML{where}: write {what}.") from None


class ExerciseForm(forms.Form):
    slug = forms.SlugField(
        max_length=MAX_SLUG_LENGTH,
        help_text="Lower-case words joined by hyphens, e.g. “adam-from-scratch”. It names the exercise "
        "in addresses and assignments and cannot change later.",
    )
    title = forms.CharField(max_length=200)
    order = forms.IntegerField(
        initial=100, help_text="Where it sits in the list of exercises (smaller first)."
    )
    topics = forms.CharField(
        required=False, max_length=500, help_text="Slugs separated by commas, e.g. “adam, bias-correction”."
    )
    statement_md = forms.CharField(
        label="Statement",
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown; math between $…$ or $$…$$. Say what to implement and how it is graded.",
    )
    reference_optimizer = forms.ChoiceField(
        label="Answer key",
        choices=optimizer_choices,
        help_text="The optimizer whose trajectories the submissions are compared with, step by step.",
    )
    hyperparameters = forms.CharField(
        max_length=MAX_YAML_CHARS,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "code"}),
        help_text="YAML, one “name: default” per line, in the order of step's keyword arguments "
        "(write 1.0e-8, not 1e-8).",
    )
    suite = forms.CharField(
        label="Problem suite",
        max_length=MAX_YAML_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
        help_text="YAML list. Each case is an optimlab problem with its start point and step count "
        "(“- problem: rosenbrock, start: [-1.5, 2.0], steps: 150, hp: {lr: 0.02}”) or a prepared case "
        "(“- case: linear-layer”); see the tables below.",
    )
    hints = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Two to four hints, one per line (Markdown and math allowed).",
    )
    starter_source = forms.CharField(
        label="Starter code",
        max_length=MAX_TEXT_CHARS,
        widget=CODE,
        help_text="Runs but is wrong: init_state(params) and step(params, grads, state, *, <hyperparameters>).",
    )
    reference_source = forms.CharField(
        label="Reference solution",
        max_length=MAX_TEXT_CHARS,
        widget=CODE,
        help_text="A correct solution in the same contract; validation runs it in the sandbox and it must score 1.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the slug is fixed once the exercise exists
            del self.fields["slug"]

    def clean_topics(self) -> list[str]:
        return [topic.strip() for topic in self.cleaned_data["topics"].split(",") if topic.strip()]

    def clean_hints(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["hints"].splitlines() if line.strip()]

    def clean_hyperparameters(self) -> list[list[Any]]:
        raw = _yaml(self.cleaned_data["hyperparameters"], "one “name: default” per line")
        if not isinstance(raw, dict) or not raw:
            raise forms.ValidationError("Write one “name: default” per line, e.g. “lr: 0.01”.")
        return [[str(name), value] for name, value in raw.items()]

    def clean_suite(self) -> Any:
        raw = _yaml(self.cleaned_data["suite"], "a list of cases, each line starting with “- ”")
        if not isinstance(raw, list):
            raise forms.ValidationError("Write a list of cases, each starting with “- ”.")
        return raw

    def content(self) -> dict[str, Any]:
        """The cleaned form as the services' content dict."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "slug"}


def initial_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """Form values for stored content (YAML for the structured parts)."""
    pairs = content.get("hyperparameters") or []
    return {
        **content,
        "topics": ", ".join(content.get("topics") or []),
        "hints": "\n".join(content.get("hints") or []),
        "hyperparameters": yaml.safe_dump(dict(pairs), sort_keys=False) if pairs else "",
        "suite": yaml.safe_dump(
            content.get("suite") or [], sort_keys=False, default_flow_style=None, width=100
        ),
    }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Zip file",
        help_text=f"A zip of one exercise folder (info.yaml, statement.md, starter.py, reference.py), "
        f"at most {MAX_ZIP_BYTES // 1024} KB.",
    )
    slug = forms.SlugField(
        required=False,
        max_length=MAX_SLUG_LENGTH,
        help_text="Leave empty to use the folder's name; give another when that one is taken.",
    )


class PreviewForm(forms.Form):
    source = forms.CharField(
        label="Code to try",
        max_length=MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )
