"""The forms of the exercise authoring pages. They only turn text into the content dict; the rules
are the loader's (`grading.exercises.loader`), applied by `grading.services.authoring`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from django import forms

from grading.authoring.zipio import MAX_ZIP_BYTES
from grading.cases import CASES
from grading.exercises.loader import DEFAULT_CASE_STEPS, MAX_CASE_STEPS, MAX_SLUG_LENGTH, MAX_SUITE_CASES
from grading.reference import COMPOSED_REFERENCES
from optimlab.optimizers import OPTIMIZERS
from optimlab.problems import PROBLEMS

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


# ---------------------------------------------------------------- the suite, as rows of fields

CASE_PARTS = ("target", "start", "steps", "hp", "lr_schedule", "id")


# Which row field a loader error about suite[i] is about, by the first word of it the message names.
SUITE_AT = re.compile(r"suite\[(\d+)\]")
SUITE_ERROR_PARTS = (
    ("lr_schedule", "lr_schedule"),
    ("start", "start"),
    ("steps", "steps"),
    ("hp", "hp"),
    (" id ", "id"),
)


def case_name(index: int, part: str) -> str:
    return f"case-{index}-{part}"


def target_choices() -> list[Any]:
    problems = [(f"problem:{name}", f"{name}: {p.title} ({p.dim}-D)") for name, p in PROBLEMS.items()]
    cases = [(f"case:{name}", f"{name}: {case.title}") for name, case in CASES.items()]
    return [("", "(no case)"), ("optimlab problem", problems), ("Prepared case", cases)]


def _show_number(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _parse_number(text: str, what: str) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise forms.ValidationError(f"“{text}” is not a number ({what}).") from None


class NumberListField(forms.CharField):
    """Numbers separated by commas, e.g. “-1.5, 2.0”; an empty list when left empty."""

    def clean(self, value: Any) -> list[int | float]:
        text = super().clean(value) or ""
        return [
            _parse_number(part, "write numbers separated by commas")
            for part in text.split(",")
            if part.strip()
        ]


class PairsField(forms.CharField):
    """“name: value” pairs separated by commas, e.g. “lr: 0.02, beta1: 0.9”; names are words (or,
    with `int_keys`, whole numbers) and values numbers."""

    def __init__(self, *, int_keys: bool = False, **kwargs: Any) -> None:
        self.int_keys = int_keys
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value) or ""
        pairs: list[tuple[Any, int | float]] = []
        for part in filter(str.strip, text.split(",")):
            key, colon, number = part.partition(":")
            key = key.strip()
            if not colon or not key:
                raise forms.ValidationError(
                    f"Write “name: value” pairs separated by commas (not “{part.strip()}”)."
                )
            if self.int_keys:
                if not key.isdigit():
                    raise forms.ValidationError(f"“{key}” is not a step number (0, 1, 2, …).")
                pairs.append((int(key), _parse_number(number, "the learning rate from that step")))
            else:
                pairs.append((key, _parse_number(number, key)))
        if self.int_keys:
            return [[first, rate] for first, rate in pairs]
        return dict(pairs)


def case_fields(index: int) -> dict[str, forms.Field]:
    """The fields of one row of cases: every one optional (an empty row is no case), labelled with the row."""
    row = f"case {index + 1}"

    def optional(field: Callable[..., forms.Field], label: str, **options: Any) -> forms.Field:
        return field(label=f"{label} ({row})", required=False, **options)

    return {
        "target": optional(forms.ChoiceField, "Problem or prepared case", choices=target_choices),
        "start": optional(
            NumberListField,
            "Start point",
            max_length=400,
            help_text="One number per dimension, separated by commas; the problem's own start when empty.",
        ),
        "steps": optional(
            forms.IntegerField,
            "Steps",
            min_value=1,
            max_value=MAX_CASE_STEPS,
            help_text=f"1 to {MAX_CASE_STEPS}; {DEFAULT_CASE_STEPS} when empty.",
        ),
        "hp": optional(
            PairsField,
            "Hyperparameters",
            max_length=400,
            help_text="Overrides for this case, e.g. “lr: 0.02, beta1: 0.9”.",
        ),
        "lr_schedule": optional(
            PairsField,
            "Learning-rate schedule",
            int_keys=True,
            max_length=400,
            help_text="Optional “first step: lr” pairs, e.g. “0: 0.1, 30: 0.02”.",
        ),
        "id": optional(
            forms.SlugField,
            "Case id",
            max_length=64,
            help_text="Optional; names the case in results (the problem's name when empty).",
        ),
    }


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
        for index in range(MAX_SUITE_CASES):
            for part, field in case_fields(index).items():
                self.fields[case_name(index, part)] = field

    # The suite: one row of fields per case (no script needed), read back into the list the loader checks.
    def suite_rows(self) -> list[list[Any]]:
        """The bound fields of each suite row, for the template: [target, start, steps, hp, lr_schedule, id]."""
        return [[self[case_name(index, part)] for part in CASE_PARTS] for index in range(MAX_SUITE_CASES)]

    def suite_row_fields(self) -> set[str]:
        return {case_name(index, part) for index in range(MAX_SUITE_CASES) for part in CASE_PARTS}

    def main_fields(self) -> list[Any]:
        """The bound fields other than the suite's, in order."""
        rows = self.suite_row_fields()
        return [self[name] for name in self.fields if name not in rows]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        suite = []
        for index in range(MAX_SUITE_CASES):
            values = {part: cleaned.get(case_name(index, part)) for part in CASE_PARTS}
            target = values.pop("target") or ""
            if not target:
                extra = [part for part, value in values.items() if value not in (None, "", {}, [])]
                if extra:
                    self.add_error(
                        case_name(index, "target"), "Choose a problem or a prepared case for this row."
                    )
                continue
            kind, _, name = target.partition(":")
            entry: dict[str, Any] = {kind: name}
            if values["id"]:
                entry["id"] = values["id"]
            if kind == "problem":
                if values["start"]:
                    entry["start"] = values["start"]
                if values["steps"] is not None:
                    entry["steps"] = values["steps"]
            else:
                for part in ("start", "steps"):
                    if values[part] not in (None, "", []):
                        self.add_error(
                            case_name(index, part),
                            "A prepared case has its own start and steps: leave this empty.",
                        )
            if values["hp"]:
                entry["hp"] = values["hp"]
            if values["lr_schedule"]:
                entry["lr_schedule"] = values["lr_schedule"]
            suite.append(entry)
        if not suite and not any(name in self.errors for name in self.suite_row_fields()):
            self.add_error(case_name(0, "target"), "A suite needs at least one case.")
        cleaned["suite"] = suite
        return cleaned

    def clean_topics(self) -> list[str]:
        return [topic.strip() for topic in self.cleaned_data["topics"].split(",") if topic.strip()]

    def clean_hints(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["hints"].splitlines() if line.strip()]

    def clean_hyperparameters(self) -> list[list[Any]]:
        raw = _yaml(self.cleaned_data["hyperparameters"], "one “name: default” per line")
        if not isinstance(raw, dict) or not raw:
            raise forms.ValidationError("Write one “name: default” per line, e.g. “lr: 0.01”.")
        return [[str(name), value] for name, value in raw.items()]

    def add_content_error(self, name: str, message: str) -> None:
        """Put an error the loader found next to the field it is about: a suite error on its row's
        field (“suite[2]: start must be …” goes to case 3's start point)."""
        if name == "suite":
            found = SUITE_AT.search(message)
            if found and int(found.group(1)) < MAX_SUITE_CASES:
                index = int(found.group(1))
                after = message[found.end() :]
                part = next((p for word, p in SUITE_ERROR_PARTS if word in after), "target")
                self.add_error(case_name(index, part), message)
                return
        self.add_error(name if name in self.fields else None, message)

    def content(self) -> dict[str, Any]:
        """The cleaned form as the services' content dict."""
        rows = self.suite_row_fields()
        content = {
            name: self.cleaned_data[name] for name in self.fields if name != "slug" and name not in rows
        }
        return {**content, "suite": self.cleaned_data["suite"]}


def initial_from_content(content: dict[str, Any]) -> dict[str, Any]:
    """Form values for stored content (YAML for the hyperparameters, one row of fields per suite case)."""
    pairs = content.get("hyperparameters") or []
    initial = {
        **{name: value for name, value in content.items() if name != "suite"},
        "topics": ", ".join(content.get("topics") or []),
        "hints": "\n".join(content.get("hints") or []),
        "hyperparameters": yaml.safe_dump(dict(pairs), sort_keys=False) if pairs else "",
    }
    for index, entry in enumerate((content.get("suite") or [])[:MAX_SUITE_CASES]):
        initial.update(suite_row_initial(index, entry))
    return initial


def suite_row_initial(index: int, entry: dict[str, Any]) -> dict[str, Any]:
    kind = "problem" if "problem" in entry else "case"
    values = {
        "target": f"{kind}:{entry.get(kind, '')}",
        "start": ", ".join(_show_number(value) for value in entry.get("start") or []),
        "steps": entry.get("steps"),
        "hp": ", ".join(f"{name}: {_show_number(value)}" for name, value in (entry.get("hp") or {}).items()),
        "lr_schedule": ", ".join(
            f"{first}: {_show_number(rate)}" for first, rate in entry.get("lr_schedule") or []
        ),
        "id": entry.get("id", ""),
    }
    return {case_name(index, part): value for part, value in values.items()}


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
