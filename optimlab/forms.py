"""The playground's GET form: a problem, up to four optimizer rows, steps and an optional start."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from optimlab.optimizers import OPTIMIZERS, get_optimizer
from optimlab.problems import PROBLEMS, get_problem
from optimlab.runner import checked_hyperparameters, parse_hyperparameters, parse_vector, starting_point

MAX_ROWS = 4
# The page answers while the visitor waits, so it allows fewer steps than the runner's 10,000.
PLAYGROUND_MAX_STEPS = 2000

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


@dataclass(frozen=True)
class RunRequest:
    optimizer: str
    hp: dict[str, float]  # only what the visitor typed; the runner fills in the defaults

    @property
    def label(self) -> str:
        typed = ", ".join(f"{name}={value:g}" for name, value in self.hp.items())
        return f"{self.optimizer} ({typed})" if typed else f"{self.optimizer} (defaults)"


def optimizer_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(name, name) for name in OPTIMIZERS]


class PlaygroundForm(forms.Form):
    problem = forms.ChoiceField(choices=[(name, problem.title) for name, problem in PROBLEMS.items()])
    steps = forms.IntegerField(min_value=1, max_value=PLAYGROUND_MAX_STEPS, initial=50)
    start = forms.CharField(
        required=False,
        help_text="Comma-separated coordinates, e.g. -5,-2. Leave empty for the problem's own start.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, MAX_ROWS + 1):
            self.fields[f"opt{row}"] = forms.ChoiceField(choices=optimizer_choices(), required=False)
            self.fields[f"hp{row}"] = forms.CharField(required=False, max_length=300)

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"opt{row}"], self[f"hp{row}"]) for row in range(1, MAX_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
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
        return cleaned

    def clean_row(self, row: int, cleaned: dict, problem) -> RunRequest | None:
        name, text = cleaned.get(f"opt{row}"), cleaned.get(f"hp{row}", "")
        if not name:
            if text.strip():
                self.add_error(f"hp{row}", "Choose an optimizer for these hyperparameters.")
            return None
        try:
            hp = parse_hyperparameters(text)
            if problem is not None:
                checked_hyperparameters(get_optimizer(name), problem, hp)
        except ValueError as error:
            self.add_error(f"hp{row}", str(error))
            return None
        return RunRequest(optimizer=name, hp=hp)

    def clean_start_point(self, text: str, problem) -> list[float] | None:
        if not text.strip() or problem is None:
            return None
        try:
            return starting_point(problem, parse_vector(text)).tolist()
        except ValueError as error:
            self.add_error("start", str(error))
            return None
