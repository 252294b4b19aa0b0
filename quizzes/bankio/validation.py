"""Checks every item of a bank, whatever format it came from.

Two layers: the common fields every kind shares (checked here, so readers agree on them), then
the kind-specific content, which only the quiz engine understands (`quizzes.engine.validate_item`).
"""

import math
import re
from collections.abc import Callable, Iterable
from typing import Any, cast

from quizzes.bankio.errors import BankProblem, Location
from quizzes.bankio.naming import MAX_KEY_LENGTH, MAX_TOPIC_LENGTH
from quizzes.engine import validate_item
from quizzes.engine.kinds import ItemKind
from quizzes.engine.spec import OPTIONAL_EXPLANATION

KINDS = tuple(kind.value for kind in ItemKind)
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # used with fullmatch: "$" would accept a final newline
COMMON_FIELDS = ("key", "kind", "title", "topics", "difficulty", "stem", "explanation", "hints")
# Column sizes in quizzes.models: a longer value would fail at write time, so it fails here instead.
MAX_TITLE_LENGTH = 200
DEFAULT_DIFFICULTY = 2
# An engine message that starts with a field path ("choices[1].text: ...") names its field.
_ENGINE_FIELD_RE = re.compile(r"^\s*([A-Za-z_][\w\-]*(?:\[\d+\]|\.[A-Za-z_][\w\-]*)*)\s*:\s*(.*)$", re.S)

EngineValidator = Callable[[dict], list[str]]


def is_slug(value: object, max_length: int = 200) -> bool:
    return isinstance(value, str) and len(value) <= max_length and bool(SLUG_RE.fullmatch(value))


def with_common_defaults(item: dict) -> dict:
    """The item with every optional common field present, in the order `Item.to_dict()` uses."""
    defaults = {"title": "", "topics": [], "difficulty": DEFAULT_DIFFICULTY, "hints": []}
    ordered = {
        name: item.get(name, defaults.get(name)) for name in COMMON_FIELDS if name in item or name in defaults
    }
    ordered.update((name, value) for name, value in item.items() if name not in ordered)
    return ordered


def check_common_fields(item: object, index: int, *, file: str = "", lines: dict[str, int] | None = None):
    """Problems with the fields every kind shares. `lines` maps field paths to source lines."""
    lines = lines or {}
    key = item.get("key") if isinstance(item, dict) else None
    key = key if isinstance(key, str) else None

    def at(field_path: str) -> Location:
        return Location(
            file=file, item_index=index, item_key=key, field=field_path, line=_line_for(field_path, lines)
        )

    if not isinstance(item, dict):
        return [BankProblem(at(""), f"an item must be a mapping of fields, not {_type_name(item)}")]

    problems: list[BankProblem] = []
    # A description shows only its stem: its explanation may be empty.
    texts = ("stem",) if item.get("kind") in OPTIONAL_EXPLANATION else ("stem", "explanation")
    for name in ("key", "kind", *texts):
        if name not in item:
            problems.append(BankProblem(at(name), f"the required field '{name}' is missing"))

    if "key" in item and not is_slug(item["key"], MAX_KEY_LENGTH):
        problems.append(
            BankProblem(at("key"), f"must be a slug of a-z, 0-9 and single hyphens, got {item['key']!r}")
        )
    if "kind" in item and item["kind"] not in KINDS:
        problems.append(BankProblem(at("kind"), f"unknown kind {item['kind']!r}; known: {', '.join(KINDS)}"))
    for name in texts:
        if name in item and (not isinstance(item[name], str) or not item[name].strip()):
            problems.append(BankProblem(at(name), "must be non-empty Markdown text"))
    if "explanation" in item and not isinstance(item["explanation"], str):
        problems.append(BankProblem(at("explanation"), "must be Markdown text"))
    if "title" in item and not isinstance(item["title"], str):
        problems.append(BankProblem(at("title"), f"must be text, not {_type_name(item['title'])}"))
    elif len(item.get("title", "")) > MAX_TITLE_LENGTH:
        problems.append(BankProblem(at("title"), f"is longer than {MAX_TITLE_LENGTH} characters"))
    problems += _check_string_list(item, "topics", at, slug=True)
    problems += _check_string_list(item, "hints", at, slug=False)
    if "difficulty" in item:
        difficulty = item["difficulty"]
        if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
            problems.append(BankProblem(at("difficulty"), f"must be a whole number 1..5, got {difficulty!r}"))
    return problems


def storable_problems(value: object, path: str = "") -> list[tuple[str, str]]:
    """(field path, why) for every value that JSON storage would reject or silently change.

    Items are stored as JSON: YAML dates, sets, binary blobs, non-text mapping keys and infinite or
    NaN numbers would fail at write time (or come back different), so they are problems up front.
    """
    if isinstance(value, dict):
        found = []
        for name, entry in value.items():
            child = f"{path}.{name}" if path else str(name)
            if not isinstance(name, str):
                found.append((child, f"the key {name!r} must be text; quote it"))
            found += storable_problems(entry, child)
        return found
    if isinstance(value, list):
        return [
            problem
            for index, entry in enumerate(value)
            for problem in storable_problems(entry, f"{path}[{index}]")
        ]
    if isinstance(value, float) and not math.isfinite(value):
        return [(path, "infinite or NaN numbers cannot be stored")]
    if value is None or isinstance(value, str | int | float | bool):
        return []
    return [(path, f"a {type(value).__name__} value cannot be stored; quote it to make it text")]


def _check_string_list(item: dict, name: str, at, *, slug: bool) -> list[BankProblem]:
    if name not in item:
        return []
    value = item[name]
    if not isinstance(value, list):
        return [BankProblem(at(name), f"must be a list, not {_type_name(value)}")]
    problems = []
    for position, entry in enumerate(value):
        if slug and not is_slug(entry, MAX_TOPIC_LENGTH):
            problems.append(BankProblem(at(f"{name}[{position}]"), f"must be a topic slug, got {entry!r}"))
        elif not slug and not isinstance(entry, str):
            problems.append(BankProblem(at(f"{name}[{position}]"), f"must be text, not {_type_name(entry)}"))
    return problems


def check_items(
    items: Iterable[object],
    *,
    file: str = "",
    item_lines: dict[int, dict[str, int]] | None = None,
    engine: EngineValidator | None = None,
    other_keys: Iterable[str] = (),
) -> tuple[list[BankProblem], list[str]]:
    """Every problem in `items` (common fields, duplicate keys, then the engine's checks) and notes.

    `engine` defaults to the quiz engine's `validate_item`; an item whose common fields are broken, or that
    holds values JSON cannot store, is not passed to the engine. `siblings` may name the keys of `items`
    and `other_keys` (the bank's other items, when one item is checked alone); any other is reported.
    """
    item_lines = item_lines or {}
    items = list(items)
    notes: list[str] = []
    problems: list[BankProblem] = []
    if engine is None:
        engine = validate_item
    first_index_of_key: dict[str, int] = {}
    for index, item in enumerate(items):
        lines = item_lines.get(index, {})
        common = check_common_fields(item, index, file=file, lines=lines)
        problems += common
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str):
            if key in first_index_of_key:
                location = Location(
                    file=file, item_index=index, item_key=key, field="key", line=lines.get("key")
                )
                problems.append(
                    BankProblem(
                        location, f"duplicate key; item {first_index_of_key[key] + 1} already uses it"
                    )
                )
            else:
                first_index_of_key[key] = index
        if common:
            continue  # the engine's messages would only repeat these mistakes
        unstorable = [
            BankProblem(
                Location(file=file, item_index=index, item_key=key, field=path, line=_line_for(path, lines)),
                why,
            )
            for path, why in storable_problems(item)
        ]
        problems += unstorable
        if not unstorable:
            # check_common_fields reported nothing, so the item is a mapping.
            problems += engine_problems(cast(dict[str, Any], item), index, engine, file=file, lines=lines)
    known = set(first_index_of_key) | set(other_keys)
    problems += sibling_key_problems(items, known, file=file, item_lines=item_lines)
    return problems, notes


def sibling_key_problems(
    items: list, known: set[str], *, file: str = "", item_lines: dict[int, dict[str, int]] | None = None
) -> list[BankProblem]:
    """Every `siblings` entry that names no item of the bank (siblings are symmetric: naming one side is enough)."""
    problems = []
    for index, item in enumerate(items):
        siblings = item.get("siblings") if isinstance(item, dict) else None
        if not isinstance(siblings, list):
            continue
        lines = (item_lines or {}).get(index, {})
        for sibling in siblings:
            if isinstance(sibling, str) and sibling not in known:
                location = Location(
                    file=file,
                    item_index=index,
                    item_key=item.get("key") if isinstance(item.get("key"), str) else None,
                    field="siblings",
                    line=_line_for("siblings", lines),
                )
                problems.append(
                    BankProblem(location, f"unknown sibling key {sibling!r}: no item of this bank has it")
                )
    return problems


def engine_problems(item: dict, index: int, engine: EngineValidator, *, file: str = "", lines=None):
    """The engine's verdict on one item, each message placed at its field (and line) when it names one."""
    lines = lines or {}
    try:
        messages = engine(item)
    except Exception as error:  # the engine promises not to raise; if it does, the item is not trusted
        messages = [f"the quiz engine could not check this item ({type(error).__name__}: {error})"]
    problems = []
    for message in messages:
        field_path, text = "", str(message)
        match = _ENGINE_FIELD_RE.match(text)
        if match and " " not in match.group(1):
            field_path, text = match.group(1), match.group(2)
        line = _line_for(field_path, lines)
        location = Location(
            file=file, item_index=index, item_key=item.get("key"), field=field_path, line=line
        )
        problems.append(BankProblem(location, text))
    return problems


def _line_for(field_path: str, lines: dict[str, int]) -> int | None:
    """The line of the deepest known prefix of `field_path` ("choices[2].text" → "choices[2]" → "choices")."""
    path = field_path
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("")


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )
