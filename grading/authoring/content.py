"""An authored exercise's content: the stored dict, the `Exercise` the grader takes, the folder's files.

The stored content is a dict with the keys of `CONTENT_KEYS`. Hyperparameters are a list of
[name, default] pairs (their order is `step`'s keyword order, which a JSON object on PostgreSQL
would not keep); the suite is the list of entries exactly as `info.yaml` writes it. Every way in
goes through `grading.exercises.loader.exercise_from_parts`, so an exercise written on the site is
held to the same rules as a folder, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from grading.exercises.loader import REQUIRED_FILES, Exercise, ExerciseFormatError, exercise_from_parts

CONTENT_KEYS = (
    "title",
    "order",
    "topics",
    "statement_md",
    "starter_source",
    "reference_source",
    "reference_optimizer",
    "hyperparameters",
    "suite",
    "hints",
)


def exercise_from_content(slug: str, content: Mapping[str, Any]) -> Exercise:
    """The exercise the content describes; ExerciseFormatError (`.errors` per field) otherwise."""
    pairs = content.get("hyperparameters")
    if isinstance(pairs, list) and all(isinstance(p, list | tuple) and len(p) == 2 for p in pairs):
        hyperparameters: Any = {str(name): value for name, value in pairs}
        if len(hyperparameters) != len(pairs):
            raise ExerciseFormatError("a hyperparameter is named twice", field="hyperparameters")
    else:
        hyperparameters = pairs
    info = {
        "title": content.get("title"),
        "order": content.get("order"),
        "topics": content.get("topics"),
        "reference_optimizer": content.get("reference_optimizer"),
        "hyperparameters": hyperparameters,
        "hints": content.get("hints"),
        "suite": content.get("suite"),
    }
    return exercise_from_parts(
        slug=slug,
        info=info,
        statement_md=content.get("statement_md") or "",
        starter_source=content.get("starter_source") or "",
        reference_source=content.get("reference_source") or "",
    )


def content_of(exercise: Exercise) -> dict[str, Any]:
    """The stored form of an exercise (JSON-friendly)."""
    return {
        "title": exercise.title,
        "order": exercise.order,
        "topics": list(exercise.topics),
        "statement_md": exercise.statement_md,
        "starter_source": exercise.starter_source,
        "reference_source": exercise.reference_source,
        "reference_optimizer": exercise.reference_optimizer,
        "hyperparameters": [[name, value] for name, value in exercise.hyperparameters.items()],
        "suite": suite_entries(exercise),
        "hints": list(exercise.hints),
    }


def suite_entries(exercise: Exercise) -> list[dict[str, Any]]:
    """The suite as `info.yaml` writes it: only the hyperparameters a case changes from the defaults."""
    defaults = dict(exercise.hyperparameters)
    entries: list[dict[str, Any]] = []
    for entry in exercise.suite:
        raw: dict[str, Any] = {"case": entry.case} if entry.case else {"problem": entry.problem}
        if entry.id != (entry.case or entry.problem):
            raw["id"] = entry.id
        if entry.problem:
            raw["start"] = list(entry.start)
            raw["steps"] = entry.steps
        changed = {name: value for name, value in entry.hp.items() if defaults.get(name) != value}
        if changed:
            raw["hp"] = changed
        if entry.lr_schedule:
            raw["lr_schedule"] = [[start, lr] for start, lr in entry.lr_schedule]
        entries.append(raw)
    return entries


def info_yaml(exercise: Exercise) -> str:
    info = {
        "title": exercise.title,
        "order": exercise.order,
        "topics": list(exercise.topics),
        "reference_optimizer": exercise.reference_optimizer,
        "hyperparameters": dict(exercise.hyperparameters),
        "hints": list(exercise.hints),
        "suite": suite_entries(exercise),
    }
    return yaml.safe_dump(info, sort_keys=False, allow_unicode=True, width=100)


def files_of(exercise: Exercise) -> dict[str, str]:
    """The four files of the folder layout, by name."""
    files = {
        "info.yaml": info_yaml(exercise),
        "statement.md": exercise.statement_md,
        "starter.py": exercise.starter_source,
        "reference.py": exercise.reference_source,
    }
    assert set(files) == set(REQUIRED_FILES)
    return files
