"""Reads and validates exercise folders (PrairieLearn style: the folder name is the stable slug).

An exercise folder holds:
- `info.yaml`: title, order, topics, the optimlab optimizer it is graded against, its
  hyperparameters with default values (in the order of `step`'s keyword arguments), 2-4 hints,
  and its problem suite (cases from `grading.cases.CASES`, each with hyperparameter overrides or
  a learning-rate schedule);
- `statement.md`: what to implement, with the convention and equations ($math$);
- `starter.py`: code that runs but is wrong; `reference.py`: a correct solution.
Both Python files must define `init_state(params)` and `step(params, grads, state, *, <hp>)`.
"""

import ast
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from grading.cases import CASES
from grading.reference import reference_optimizer

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REQUIRED_FILES = ("info.yaml", "statement.md", "starter.py", "reference.py")
INFO_KEYS = {"title", "order", "topics", "reference_optimizer", "hyperparameters", "hints", "suite"}
SUITE_KEYS = {"case", "id", "hp", "lr_schedule"}


class ExerciseFormatError(ValueError):
    """An exercise folder is malformed; the message names the folder and the field."""


@dataclass(frozen=True)
class SuiteEntry:
    """One graded case: a case template from `grading.cases.CASES` with this exercise's settings.

    `lr_schedule` is a list of (first_step, lr) pairs; when given, the learning rate changes
    between steps (steps are counted from 0) and the case is sent as `hp_per_step`.
    """

    case: str
    id: str
    hp: Mapping[str, float]
    lr_schedule: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: str
    order: int
    topics: tuple[str, ...]
    statement_md: str
    starter_source: str
    reference_source: str
    hints: tuple[str, ...]
    hyperparameters: Mapping[str, float]  # name -> default, in the order `step` declares them
    reference_optimizer: str  # the optimlab optimizer whose trajectories are the answer key
    suite: tuple[SuiteEntry, ...]

    @property
    def hyperparameter_names(self) -> tuple[str, ...]:
        return tuple(self.hyperparameters)


def load_exercises(root: Path) -> dict[str, Exercise]:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "info.yaml").exists())
    exercises = [load_exercise(folder) for folder in folders]
    exercises.sort(key=lambda e: (e.order, e.slug))
    return {e.slug: e for e in exercises}


def load_exercise(folder: Path) -> Exercise:
    slug = folder.name
    where = f"exercise {slug!r}"
    if not SLUG_PATTERN.match(slug):
        raise ExerciseFormatError(f"{where}: the folder name must be a slug like 'adam' or 'momentum-ema'")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ExerciseFormatError(f"{where}: missing file(s) {', '.join(missing)}")
    try:
        info = yaml.safe_load((folder / "info.yaml").read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ExerciseFormatError(f"{where}: info.yaml is not valid YAML: {exc}") from None
    if not isinstance(info, dict):
        raise ExerciseFormatError(f"{where}: info.yaml must be a mapping")
    missing_keys = sorted(INFO_KEYS - set(info))
    unknown_keys = sorted(set(info) - INFO_KEYS - {"slug"})
    if missing_keys or unknown_keys:
        raise ExerciseFormatError(f"{where}: info.yaml missing {missing_keys}, unknown {unknown_keys}")
    if info.get("slug", slug) != slug:
        raise ExerciseFormatError(f"{where}: info.yaml says slug {info['slug']!r}; it must match the folder")

    hyperparameters = _hyperparameters(where, info["hyperparameters"], info["reference_optimizer"])
    statement = (folder / "statement.md").read_text(encoding="utf-8")
    if not statement.strip():
        raise ExerciseFormatError(f"{where}: statement.md is empty")
    sources = {}
    for name in ("starter.py", "reference.py"):
        sources[name] = (folder / name).read_text(encoding="utf-8")
        _check_contract(f"{where}: {name}", sources[name], tuple(hyperparameters))
    hints = info["hints"]
    if not isinstance(hints, list) or not 2 <= len(hints) <= 4 or not all(isinstance(h, str) for h in hints):
        raise ExerciseFormatError(f"{where}: hints must be a list of 2 to 4 strings")
    topics = info["topics"]
    if not isinstance(topics, list) or not all(isinstance(t, str) and SLUG_PATTERN.match(t) for t in topics):
        raise ExerciseFormatError(f"{where}: topics must be a list of slugs")
    if not isinstance(info["title"], str) or not info["title"].strip():
        raise ExerciseFormatError(f"{where}: title must be a non-empty string")
    if type(info["order"]) is not int:
        raise ExerciseFormatError(f"{where}: order must be an integer")
    return Exercise(
        slug=slug,
        title=info["title"].strip(),
        order=info["order"],
        topics=tuple(topics),
        statement_md=statement,
        starter_source=sources["starter.py"],
        reference_source=sources["reference.py"],
        hints=tuple(hints),
        hyperparameters=MappingProxyType(hyperparameters),
        reference_optimizer=info["reference_optimizer"],
        suite=_suite(where, info["suite"], hyperparameters),
    )


def _number(where: str, value: Any) -> float:
    # YAML reads `1e-8` (no dot) as a string; insist on real numbers so that mistake is caught here.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ExerciseFormatError(f"{where}: {value!r} is not a finite number (write 1.0e-8, not 1e-8)")
    return float(value)


def _hyperparameters(where: str, raw: Any, optimizer_name: Any) -> dict[str, float]:
    # optimlab's optimizers, or SGD composed with an optimlab schedule or clipping (grading.reference)
    if not isinstance(raw, dict) or not raw:
        raise ExerciseFormatError(f"{where}: hyperparameters must be a mapping name -> default value")
    try:
        optimizer = reference_optimizer(optimizer_name)
    except ValueError as exc:
        raise ExerciseFormatError(f"{where}: reference_optimizer: {exc}") from None
    unknown = sorted(set(raw) - set(optimizer.hyperparameters))
    if unknown:
        raise ExerciseFormatError(f"{where}: {optimizer.name} has no hyperparameter(s) {unknown}")
    values = {name: _number(f"{where}: hyperparameters.{name}", value) for name, value in raw.items()}
    try:
        optimizer.resolve_hyperparameters(values)
    except ValueError as exc:
        raise ExerciseFormatError(f"{where}: hyperparameters: {exc}") from None
    return values


def _suite(where: str, raw: Any, defaults: dict[str, float]) -> tuple[SuiteEntry, ...]:
    if not isinstance(raw, list) or not raw:
        raise ExerciseFormatError(f"{where}: suite must be a non-empty list of cases")
    entries, seen = [], set()
    for index, item in enumerate(raw):
        at = f"{where}: suite[{index}]"
        if not isinstance(item, dict) or "case" not in item or set(item) - SUITE_KEYS:
            raise ExerciseFormatError(f"{at}: expected keys {sorted(SUITE_KEYS)} with 'case' required")
        if item["case"] not in CASES:
            raise ExerciseFormatError(f"{at}: unknown case {item['case']!r}; known: {', '.join(CASES)}")
        case_id = item.get("id", item["case"])
        if not isinstance(case_id, str) or not SLUG_PATTERN.match(case_id) or case_id in seen:
            raise ExerciseFormatError(f"{at}: id {case_id!r} must be a slug, unique in the suite")
        seen.add(case_id)
        hp = item.get("hp") or {}
        if not isinstance(hp, dict) or set(hp) - set(defaults):
            raise ExerciseFormatError(f"{at}: hp may only set {', '.join(defaults)}")
        hp = {**defaults, **{k: _number(f"{at}: hp.{k}", v) for k, v in hp.items()}}
        schedule = _schedule(at, item.get("lr_schedule"), CASES[item["case"]].steps)
        entries.append(SuiteEntry(item["case"], case_id, MappingProxyType(hp), schedule))
    return tuple(entries)


def _schedule(at: str, raw: Any, steps: int) -> tuple[tuple[int, float], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise ExerciseFormatError(f"{at}: lr_schedule must be a list of [first_step, lr] pairs")
    pairs = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2 or type(pair[0]) is not int:
            raise ExerciseFormatError(f"{at}: lr_schedule entries are [first_step, lr]")
        pairs.append((pair[0], _number(f"{at}: lr_schedule", pair[1])))
    starts = [start for start, _ in pairs]
    if starts[0] != 0 or starts != sorted(set(starts)) or starts[-1] >= steps:
        raise ExerciseFormatError(f"{at}: lr_schedule must start at step 0 and increase, below {steps}")
    return tuple(pairs)


def _check_contract(where: str, source: str, hyperparameters: tuple[str, ...]) -> None:
    """The file parses and defines init_state(params) and step(params, grads, state, *, <hp>)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ExerciseFormatError(f"{where}: syntax error line {exc.lineno}: {exc.msg}") from None
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for name in ("init_state", "step"):
        if name not in functions:
            raise ExerciseFormatError(f"{where}: must define {name}()")
    step = functions["step"].args
    if len(step.args) != 3 or step.kwarg is not None:
        raise ExerciseFormatError(f"{where}: step must take (params, grads, state, *, <hyperparameters>)")
    keywords = tuple(arg.arg for arg in step.kwonlyargs)
    if set(keywords) != set(hyperparameters):
        raise ExerciseFormatError(f"{where}: step's keyword arguments {keywords} must be {hyperparameters}")
