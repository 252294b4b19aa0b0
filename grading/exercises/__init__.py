"""The code exercises, one folder each: `<slug>/{info.yaml, statement.md, starter.py, reference.py}`.

    from grading.exercises import EXERCISES, get_exercise
    exercise = get_exercise("adam")
    exercise.statement_md, exercise.starter_source, exercise.hyperparameters, exercise.suite

Every folder is validated when the package is imported (a broken exercise stops the site from
starting rather than failing a student's grade later). Trusted side only: the sandbox zygote
refuses to start if this package is loaded into it, because it holds the reference solutions.
"""

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from grading.exercises.loader import Exercise, ExerciseFormatError, SuiteEntry, load_exercises

__all__ = ["EXERCISES", "Exercise", "ExerciseFormatError", "SuiteEntry", "get_exercise"]

EXERCISES_DIR = Path(__file__).resolve().parent

EXERCISES: Mapping[str, Exercise] = MappingProxyType(load_exercises(EXERCISES_DIR))


def get_exercise(slug: str) -> Exercise:
    """The exercise called `slug`; ValueError listing the known slugs otherwise."""
    try:
        return EXERCISES[slug]
    except (KeyError, TypeError):
        raise ValueError(f"unknown exercise {slug!r}; known: {', '.join(EXERCISES)}") from None
