"""The code exercises, one folder each: `<slug>/{info.yaml, statement.md, starter.py, reference.py}`.

    from grading.exercises import EXERCISES, get_exercise
    exercise = get_exercise("adam")
    exercise.statement_md, exercise.starter_source, exercise.hyperparameters, exercise.suite

Every folder is validated when the package is imported (a broken exercise stops the site from
starting rather than failing a student's grade later). Trusted side only: the sandbox zygote
refuses to start if this package is loaded into it, because it holds the reference solutions.

Exercises that instructors write (`grading.authoring`) are not folders: each version of one is
made gradable with `register(exercise)`, under a key of its own that names its content
(`<slug>@<digest>`), so everything the grader caches per key (cases, reference trajectories,
mistake families) belongs to exactly that content and an edit can never meet a stale cache.
"""

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from grading.exercises.loader import Exercise, ExerciseFormatError, SuiteEntry, load_exercises

__all__ = ["EXERCISES", "Exercise", "ExerciseFormatError", "SuiteEntry", "get_exercise", "register"]

EXERCISES_DIR = Path(__file__).resolve().parent

EXERCISES: Mapping[str, Exercise] = MappingProxyType(load_exercises(EXERCISES_DIR))


_REGISTERED: dict[str, Exercise] = {}
_registering = threading.Lock()
VERSION_MARK = "@"  # never in a folder's slug


def get_exercise(slug: str) -> Exercise:
    """The exercise called `slug` (a folder's, or a registered key); ValueError listing the known slugs otherwise."""
    try:
        return EXERCISES[slug]
    except (KeyError, TypeError):
        pass
    registered = _REGISTERED.get(slug) if isinstance(slug, str) else None
    if registered is None:
        raise ValueError(f"unknown exercise {slug!r}; known: {', '.join(EXERCISES)}")
    return registered


def content_digest(exercise: Exercise) -> str:
    """A digest of everything that decides how a submission is graded and shown."""
    content = {
        "title": exercise.title,
        "order": exercise.order,
        "topics": list(exercise.topics),
        "statement": exercise.statement_md,
        "starter": exercise.starter_source,
        "reference": exercise.reference_source,
        "hints": list(exercise.hints),
        "hyperparameters": dict(exercise.hyperparameters),
        "reference_optimizer": exercise.reference_optimizer,
        "suite": [
            [e.case, e.id, dict(e.hp), [list(p) for p in e.lr_schedule], e.problem, list(e.start), e.steps]
            for e in exercise.suite
        ],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def register(exercise: Exercise) -> Exercise:
    """Make an exercise that is not a folder gradable; returns it under its content key (`slug@digest`),
    the slug every grading function takes. Registering the same content again is free."""
    base = exercise.slug.partition(VERSION_MARK)[0]
    key = f"{base}{VERSION_MARK}{content_digest(exercise)}"
    with _registering:
        if key not in _REGISTERED:
            _REGISTERED[key] = replace(exercise, slug=key)
        return _REGISTERED[key]


def trusted_reference_source(exercise: Exercise) -> str | None:
    """A reference solution of our own for `exercise`'s rule, safe to run outside the sandbox: a
    folder's own, or for a registered exercise the one of a folder graded against the same
    optimizer with the same hyperparameters; None when there is none (never an author's code)."""
    if VERSION_MARK not in exercise.slug:  # a folder's (registered exercises carry the mark)
        return exercise.reference_source
    names = set(exercise.hyperparameter_names)
    for folder in EXERCISES.values():
        if (
            folder.reference_optimizer == exercise.reference_optimizer
            and set(folder.hyperparameter_names) == names
        ):
            return folder.reference_source
    return None
