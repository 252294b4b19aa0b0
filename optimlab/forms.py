"""The playground's GET form: a problem, up to four optimizer rows, steps and an optional start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from optimlab.optimizers import OPTIMIZERS, get_optimizer
from optimlab.problems import PROBLEMS, Problem, get_problem
from optimlab.runner import (
    checked_hyperparameters,
    parse_clip,
    parse_hyperparameters,
    parse_vector,
    schedule_for_run,
    starting_point,
)
from optimlab.schedules import SCHEDULES, Schedule

MAX_ROWS = 4
# The page answers while the visitor waits, so it allows fewer steps than the runner's 10,000.
PLAYGROUND_MAX_STEPS = 2000
# Every number a visitor types is rounded to the precision the page displays ({:g}), before it is
# run and before the cache key is made: 0.1000001 runs, caches and shows as 0.1.
SIGNIFICANT_DIGITS = 6


def canonical(value: float) -> float:
    """`value` rounded to SIGNIFICANT_DIGITS significant figures (-0.0 becomes 0.0)."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") + 0.0


# What a first visit shows: the d2l experiment where momentum rescues a learning rate that breaks GD.
DEFAULT_QUERY = {
    "problem": "ill-conditioned-quadratic",
    "steps": "20",
    "start": "",
    "opt1": "sgd",
    "hp1": "lr=0.4",
    "opt2": "sgd",
    "hp2": "lr=0.6",
    "opt3": "momentum",
    "hp3": "lr=0.6, beta=0.5",
}

# Ready-made comparisons linked above the form, so visitors find the schedule and clipping settings.
PRESETS = [
    (
        "Adam with warmup + cosine vs constant lr on Rosenbrock",
        {
            "problem": "rosenbrock",
            "steps": "300",
            "opt1": "adam",
            "hp1": "lr=1",
            "opt2": "adam",
            "hp2": "lr=1",
            "sched2": "warmup-cosine",
            "sp2": "warmup_steps=30",
        },
    ),
    (
        "Gradient clipping rescues SGD from a steep start",
        {
            "problem": "rosenbrock",
            "steps": "300",
            "start": "-2,2.5",
            "opt1": "sgd",
            "hp1": "lr=0.003",
            "opt2": "sgd",
            "hp2": "lr=0.003",
            "clip2": "1",
        },
    ),
    ("Momentum rescues a learning rate that breaks gradient descent", DEFAULT_QUERY),
]


@dataclass(frozen=True)
class RunRequest:
    optimizer: str
    hp: dict[str, float]  # only what the visitor typed; the runner fills in the defaults
    schedule: Schedule | None = None  # built around the run's lr, run-length parameters filled in
    clip: float | None = None  # largest global gradient norm

    @property
    def label(self) -> str:
        typed = ", ".join(f"{name}={value:g}" for name, value in self.hp.items())
        label = f"{self.optimizer} ({typed})" if typed else f"{self.optimizer} (defaults)"
        extras = [text for text in (self.schedule_text, self.clip_text) if text]
        return " + ".join([label, *extras])

    @property
    def schedule_text(self) -> str:
        """e.g. "warmup-cosine(warmup_steps=10, total_steps=200, eta_min=0)"; its lr is the run's, shown already."""
        if self.schedule is None:
            return ""
        params = ", ".join(f"{key}={value:g}" for key, value in self.schedule.params.items() if key != "lr")
        return f"{self.schedule.name}({params})"

    @property
    def clip_text(self) -> str:
        return f"clip {self.clip:g}" if self.clip is not None else ""


def schedule_choices() -> list[tuple[str, str]]:
    return [("", "none")] + [(name, name) for name in SCHEDULES]


def optimizer_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(name, name) for name in OPTIMIZERS]


class PlaygroundForm(forms.Form):
    problem = forms.ChoiceField(choices=[(name, problem.title) for name, problem in PROBLEMS.items()])
    steps = forms.IntegerField(min_value=1, max_value=PLAYGROUND_MAX_STEPS, initial=50)
    start = forms.CharField(
        required=False,
        help_text="Comma-separated coordinates, e.g. -5,-2. Leave empty for the problem's own start.",
    )

    def __init__(self, *args: Any, work_limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work_limit = work_limit  # the most optimizer steps x dimensions one request may run
        self.rounded: list[str] = []  # what was rounded, e.g. "lr 0.1000001 → 0.1", for the page
        for row in range(1, MAX_ROWS + 1):
            self.fields[f"opt{row}"] = forms.ChoiceField(choices=optimizer_choices(), required=False)
            self.fields[f"hp{row}"] = forms.CharField(required=False, max_length=300)
            self.fields[f"sched{row}"] = forms.ChoiceField(choices=schedule_choices(), required=False)
            self.fields[f"sp{row}"] = forms.CharField(required=False, max_length=300)
            self.fields[f"clip{row}"] = forms.CharField(required=False, max_length=40)

    def rows(self) -> list[dict[str, forms.BoundField]]:
        """Per optimizer row, its fields by role: opt, hp, sched, sp (schedule parameters), clip."""
        roles = ("opt", "hp", "sched", "sp", "clip")
        return [{role: self[f"{role}{row}"] for role in roles} for row in range(1, MAX_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        problem_name = cleaned.get("problem")
        problem = get_problem(problem_name) if problem_name else None
        runs: list[RunRequest] = []
        for row in range(1, MAX_ROWS + 1):
            run = self.clean_row(row, cleaned, problem)
            if run is not None:
                runs.append(run)
        if not runs and not self.errors:
            raise forms.ValidationError("Choose at least one optimizer.")
        cleaned["runs"] = runs
        cleaned["start_point"] = self.clean_start_point(cleaned.get("start", ""), problem)
        cleaned["rounded"] = self.rounded
        self.check_work(runs, cleaned.get("steps"), problem)
        return cleaned

    def check_work(self, runs: list[RunRequest], steps: int | None, problem: Problem | None) -> None:
        if self.work_limit is None or not runs or steps is None or problem is None:
            return
        work = len(runs) * steps * problem.dim
        if work > self.work_limit:
            most_steps = self.work_limit // (len(runs) * problem.dim)
            self.add_error(
                None,
                f"This comparison asks for {len(runs)} optimizer{'s' if len(runs) > 1 else ''} × {steps} steps "
                f"× {problem.dim} dimension{'s' if problem.dim > 1 else ''} = {work:,} updates; one request "
                f"may run at most {self.work_limit:,}. Use at most {most_steps:,} steps here, or fewer optimizers.",
            )

    def rounding(self, what: str, value: float) -> float:
        """`value` as the playground runs it, noting on the page when that differs from what was typed."""
        used = canonical(value)
        if used != value:
            self.rounded.append(f"{what} {value!r} → {used:g}")
        return used

    def clean_row(self, row: int, cleaned: dict[str, Any], problem: Problem | None) -> RunRequest | None:
        name, text = cleaned.get(f"opt{row}"), cleaned.get(f"hp{row}", "")
        extras = {f"sched{row}": "a schedule", f"sp{row}": "schedule parameters", f"clip{row}": "clipping"}
        if not name:
            if text.strip():
                self.add_error(f"hp{row}", "Choose an optimizer for these hyperparameters.")
            for field, what in extras.items():
                if (cleaned.get(field) or "").strip():
                    self.add_error(field, f"Choose an optimizer for {what}.")
            return None
        try:
            hp = {key: self.rounding(key, value) for key, value in parse_hyperparameters(text).items()}
            complete = checked_hyperparameters(get_optimizer(name), problem, hp) if problem else None
        except ValueError as error:
            self.add_error(f"hp{row}", str(error))
            return None
        schedule = clip = None
        try:
            clip = parse_clip(cleaned.get(f"clip{row}"))
            clip = self.rounding("clip", clip) if clip is not None else None
        except ValueError as error:
            self.add_error(f"clip{row}", str(error))
        steps = cleaned.get("steps")
        if complete is not None and steps is not None:  # otherwise the problem or steps field has the error
            try:
                schedule = schedule_for_run(
                    cleaned.get(f"sched{row}", ""),
                    self.canonical_assignments(cleaned.get(f"sp{row}", "")),
                    complete["lr"],
                    steps,
                )
            except ValueError as error:
                self.add_error(f"sp{row}", str(error))
        if self.has_error(f"clip{row}") or self.has_error(f"sp{row}"):
            return None
        return RunRequest(optimizer=name, hp=hp, schedule=schedule, clip=clip)

    def canonical_assignments(self, text: str) -> str:
        """'warmup_steps=10, eta_min=0.0010000001' with each number rounded; unreadable text is left
        for the schedule parser to explain."""
        try:
            values = parse_hyperparameters(text)
        except ValueError:
            return text
        return ", ".join(f"{key}={self.rounding(key, value)!r}" for key, value in values.items())

    def clean_start_point(self, text: str, problem: Problem | None) -> list[float] | None:
        if not text.strip() or problem is None:
            return None
        try:
            point = [self.rounding("start", value) for value in parse_vector(text)]
            return starting_point(problem, point).tolist()
        except ValueError as error:
            self.add_error("start", str(error))
            return None
