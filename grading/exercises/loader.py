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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from grading.cases import CASES, CaseTemplate
from grading.reference import reference_optimizer
from optimlab.problems import PROBLEMS, get_problem

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REQUIRED_FILES = ("info.yaml", "statement.md", "starter.py", "reference.py")
INFO_KEYS = {"title", "order", "topics", "reference_optimizer", "hyperparameters", "hints", "suite"}
SUITE_KEYS = {"case", "id", "hp", "lr_schedule"}
# A suite entry may also name an optimlab problem directly, with its own start point and step count.
PROBLEM_KEYS = {"problem", "id", "hp", "lr_schedule", "start", "steps"}
MAX_SLUG_LENGTH = 64
MAX_TITLE_LENGTH = 200
MAX_SUITE_CASES = 8
MAX_CASE_STEPS = 500
MAX_START_MAGNITUDE = 1.0e3
DEFAULT_CASE_STEPS = 100


class ExerciseFormatError(ValueError):
    """An exercise is malformed; the message names the exercise and the field.

    `field` names the one part at fault (info.yaml's key, or "statement", "starter", "reference");
    `errors` maps every faulty part to its message when several were checked at once."""

    def __init__(self, message: str, *, field: str = "", errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors: dict[str, str] = dict(errors) if errors else ({field: message} if field else {})


@dataclass(frozen=True)
class SuiteEntry:
    """One graded case: a case template from `grading.cases.CASES` with this exercise's settings.

    `lr_schedule` is a list of (first_step, lr) pairs; when given, the learning rate changes
    between steps (steps are counted from 0) and the case is sent as `hp_per_step`.
    """

    case: str  # a template of grading.cases.CASES, or "" when the entry names an optimlab problem
    id: str
    hp: Mapping[str, float]
    lr_schedule: tuple[tuple[int, float], ...] = ()
    problem: str = ""  # an optimlab problem, run from `start` for `steps` steps
    start: tuple[float, ...] = ()
    steps: int = 0

    @property
    def template(self) -> CaseTemplate:
        """What the case runs: the named template, or one made of the optimlab problem."""
        if self.case:
            return CASES[self.case]
        problem = get_problem(self.problem)
        return CaseTemplate(
            title=problem.title,
            problem=problem.name,
            params=(self.start,),
            steps=self.steps,
            purpose=f"{problem.title} from ({', '.join(f'{x:g}' for x in self.start)}), {self.steps} steps",
        )


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
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ExerciseFormatError(f"exercise {slug!r}: missing file(s) {', '.join(missing)}")
    files = {name: (folder / name).read_text(encoding="utf-8") for name in REQUIRED_FILES}
    return exercise_from_files(slug, files)


def exercise_from_files(slug: str, files: Mapping[str, str]) -> Exercise:
    """An exercise from the texts of its four files (a folder's, or a zip's); ExerciseFormatError otherwise."""
    where = f"exercise {slug!r}"
    try:
        info = yaml.safe_load(files["info.yaml"])
    except yaml.YAMLError as exc:
        raise ExerciseFormatError(f"{where}: info.yaml is not valid YAML: {exc}", field="info.yaml") from None
    if not isinstance(info, dict):
        raise ExerciseFormatError(f"{where}: info.yaml must be a mapping", field="info.yaml")
    missing_keys = sorted(INFO_KEYS - set(info))
    unknown_keys = sorted(set(info) - INFO_KEYS - {"slug"})
    if missing_keys or unknown_keys:
        raise ExerciseFormatError(
            f"{where}: info.yaml missing {missing_keys}, unknown {unknown_keys}", field="info.yaml"
        )
    if info.get("slug", slug) != slug:
        raise ExerciseFormatError(
            f"{where}: info.yaml says slug {info['slug']!r}; it must match the folder", field="slug"
        )
    return exercise_from_parts(
        slug=slug,
        info=info,
        statement_md=files["statement.md"],
        starter_source=files["starter.py"],
        reference_source=files["reference.py"],
    )


def exercise_from_parts(
    *, slug: str, info: Mapping[str, Any], statement_md: str, starter_source: str, reference_source: str
) -> Exercise:
    """An exercise from its parts, every part checked; ExerciseFormatError (with `.errors`, one
    message per field, for every field that is wrong) otherwise."""
    where = f"exercise {slug!r}"
    errors: dict[str, str] = {}

    def check(name: str, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except ExerciseFormatError as exc:
            errors[exc.field or name] = str(exc)
            return None

    check("slug", lambda: _slug(where, slug))
    title = check("title", lambda: _title(where, info.get("title")))
    order = check("order", lambda: _order(where, info.get("order")))
    topics = check("topics", lambda: _topics(where, info.get("topics")))
    hints = check("hints", lambda: _hints(where, info.get("hints")))
    check("statement", lambda: _statement(where, statement_md))
    hyperparameters = check(
        "hyperparameters",
        lambda: _hyperparameters(where, info.get("hyperparameters"), info.get("reference_optimizer")),
    )
    suite = None
    if hyperparameters is not None:
        names = tuple(hyperparameters)
        check("starter", lambda: _check_contract(f"{where}: starter.py", starter_source, names))
        check("reference", lambda: _check_contract(f"{where}: reference.py", reference_source, names))
        suite = check("suite", lambda: _suite(where, info.get("suite"), hyperparameters))
    if errors:
        raise ExerciseFormatError("; ".join(errors.values()), errors=errors)
    assert hyperparameters is not None and suite is not None
    return Exercise(
        slug=slug,
        title=title,
        order=order,
        topics=tuple(topics),
        statement_md=statement_md,
        starter_source=starter_source,
        reference_source=reference_source,
        hints=tuple(hints),
        hyperparameters=MappingProxyType(hyperparameters),
        reference_optimizer=info["reference_optimizer"],
        suite=suite,
    )


def _slug(where: str, slug: Any) -> None:
    if not isinstance(slug, str) or len(slug) > MAX_SLUG_LENGTH or not SLUG_PATTERN.match(slug):
        raise ExerciseFormatError(
            f"{where}: the folder name must be a slug like 'adam' or 'momentum-ema'", field="slug"
        )


def _title(where: str, title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ExerciseFormatError(f"{where}: title must be a non-empty string", field="title")
    if len(title.strip()) > MAX_TITLE_LENGTH:
        raise ExerciseFormatError(
            f"{where}: title must be at most {MAX_TITLE_LENGTH} characters", field="title"
        )
    return title.strip()


def _order(where: str, order: Any) -> int:
    if type(order) is not int:
        raise ExerciseFormatError(f"{where}: order must be an integer", field="order")
    return order


def _topics(where: str, topics: Any) -> list[str]:
    if not isinstance(topics, list) or not all(isinstance(t, str) and SLUG_PATTERN.match(t) for t in topics):
        raise ExerciseFormatError(f"{where}: topics must be a list of slugs", field="topics")
    return topics


def _hints(where: str, hints: Any) -> list[str]:
    if not isinstance(hints, list) or not 2 <= len(hints) <= 4 or not all(isinstance(h, str) for h in hints):
        raise ExerciseFormatError(f"{where}: hints must be a list of 2 to 4 strings", field="hints")
    return hints


def _statement(where: str, statement: Any) -> None:
    if not isinstance(statement, str) or not statement.strip():
        raise ExerciseFormatError(f"{where}: statement.md is empty", field="statement")


def _number(where: str, value: Any) -> float:
    # YAML reads `1e-8` (no dot) as a string; insist on real numbers so that mistake is caught here.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ExerciseFormatError(f"{where}: {value!r} is not a finite number (write 1.0e-8, not 1e-8)")
    return float(value)


def _hyperparameters(where: str, raw: Any, optimizer_name: Any) -> dict[str, float]:
    # optimlab's optimizers, or SGD composed with an optimlab schedule or clipping (grading.reference)
    try:
        optimizer = reference_optimizer(optimizer_name)
    except ValueError as exc:
        raise ExerciseFormatError(
            f"{where}: reference_optimizer: {exc}", field="reference_optimizer"
        ) from None
    if not isinstance(raw, dict) or not raw:
        raise ExerciseFormatError(
            f"{where}: hyperparameters must be a mapping name -> default value", field="hyperparameters"
        )
    unknown = sorted(str(name) for name in set(raw) - set(optimizer.hyperparameters))
    if unknown:
        raise ExerciseFormatError(
            f"{where}: {optimizer.name} has no hyperparameter(s) {unknown}; it takes "
            f"{', '.join(optimizer.hyperparameters)}",
            field="hyperparameters",
        )
    try:
        values = {name: _number(f"{where}: hyperparameters.{name}", value) for name, value in raw.items()}
        optimizer.resolve_hyperparameters(values)
    except ExerciseFormatError as exc:
        raise ExerciseFormatError(str(exc), field="hyperparameters") from None
    except ValueError as exc:
        raise ExerciseFormatError(f"{where}: hyperparameters: {exc}", field="hyperparameters") from None
    return values


def _suite(where: str, raw: Any, defaults: dict[str, float]) -> tuple[SuiteEntry, ...]:
    try:
        return _suite_entries(where, raw, defaults)
    except ExerciseFormatError as exc:
        raise ExerciseFormatError(str(exc), field="suite") from None


def _suite_entries(where: str, raw: Any, defaults: dict[str, float]) -> tuple[SuiteEntry, ...]:
    if not isinstance(raw, list) or not raw:
        raise ExerciseFormatError(f"{where}: suite must be a non-empty list of cases")
    if len(raw) > MAX_SUITE_CASES:
        raise ExerciseFormatError(
            f"{where}: a suite has at most {MAX_SUITE_CASES} cases, this one {len(raw)}"
        )
    entries, seen = [], set()
    for index, item in enumerate(raw):
        at = f"{where}: suite[{index}]"
        if isinstance(item, dict) and "problem" in item and "case" not in item:
            entry = _problem_entry(at, item, defaults)
        else:
            entry = _case_entry(at, item, defaults)
        if entry.id in seen:
            raise ExerciseFormatError(f"{at}: id {entry.id!r} must be a slug, unique in the suite")
        seen.add(entry.id)
        entries.append(entry)
    return tuple(entries)


def _case_entry(at: str, item: Any, defaults: dict[str, float]) -> SuiteEntry:
    if not isinstance(item, dict) or "case" not in item or set(item) - SUITE_KEYS:
        raise ExerciseFormatError(
            f"{at}: expected keys {sorted(SUITE_KEYS)} with 'case' required, "
            f"or {sorted(PROBLEM_KEYS)} with 'problem' required"
        )
    if not isinstance(item["case"], str) or item["case"] not in CASES:
        raise ExerciseFormatError(f"{at}: unknown case {item['case']!r}; known: {', '.join(CASES)}")
    case_id = _case_id(at, item.get("id", item["case"]))
    hp = _case_hp(at, item.get("hp"), defaults)
    schedule = _schedule(at, item.get("lr_schedule"), CASES[item["case"]].steps)
    return SuiteEntry(item["case"], case_id, MappingProxyType(hp), schedule)


def _problem_entry(at: str, item: dict[str, Any], defaults: dict[str, float]) -> SuiteEntry:
    if set(item) - PROBLEM_KEYS:
        raise ExerciseFormatError(f"{at}: unknown key(s) {sorted(map(str, set(item) - PROBLEM_KEYS))}")
    name = item["problem"]
    if not isinstance(name, str) or name not in PROBLEMS:
        raise ExerciseFormatError(f"{at}: unknown problem {name!r}; known: {', '.join(PROBLEMS)}")
    problem = PROBLEMS[name]
    raw_start = item.get("start", problem.start.tolist())
    if not isinstance(raw_start, list) or len(raw_start) != problem.dim:
        raise ExerciseFormatError(f"{at}: start must be a list of {problem.dim} numbers for {name}")
    start = tuple(_number(f"{at}: start", value) for value in raw_start)
    if any(abs(value) > MAX_START_MAGNITUDE for value in start):
        raise ExerciseFormatError(f"{at}: start coordinates must lie within ±{MAX_START_MAGNITUDE:g}")
    steps = item.get("steps", DEFAULT_CASE_STEPS)
    if type(steps) is not int or not 1 <= steps <= MAX_CASE_STEPS:
        raise ExerciseFormatError(f"{at}: steps must be a whole number from 1 to {MAX_CASE_STEPS}")
    case_id = _case_id(at, item.get("id", name))
    hp = _case_hp(at, item.get("hp"), defaults)
    schedule = _schedule(at, item.get("lr_schedule"), steps)
    return SuiteEntry("", case_id, MappingProxyType(hp), schedule, problem=name, start=start, steps=steps)


def _case_id(at: str, case_id: Any) -> str:
    if not isinstance(case_id, str) or not SLUG_PATTERN.match(case_id) or len(case_id) > MAX_SLUG_LENGTH:
        raise ExerciseFormatError(f"{at}: id {case_id!r} must be a slug, unique in the suite")
    return case_id


def _case_hp(at: str, raw: Any, defaults: dict[str, float]) -> dict[str, float]:
    hp = raw or {}
    if not isinstance(hp, dict) or set(hp) - set(defaults):
        raise ExerciseFormatError(f"{at}: hp may only set {', '.join(defaults)}")
    return {**defaults, **{k: _number(f"{at}: hp.{k}", v) for k, v in hp.items()}}


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
    field = "reference" if where.endswith("reference.py") else "starter"
    try:
        return _contract(where, source, hyperparameters)
    except ExerciseFormatError as exc:
        raise ExerciseFormatError(str(exc), field=field) from None


def _contract(where: str, source: str, hyperparameters: tuple[str, ...]) -> None:
    if not isinstance(source, str) or not source.strip():
        raise ExerciseFormatError(f"{where}: the file is empty")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        raise ExerciseFormatError(f"{where}: syntax error line {line}: {getattr(exc, 'msg', exc)}") from None
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
